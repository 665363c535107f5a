/**
 * Turns Open Inference Protocol v2 tensors into rows of named features, following the model's
 * signature (laketahoe-model.json): either one 2-D input `[n, k]` whose k columns are the signature's
 * features, or one 1-D tensor per feature named after it. BYTES values stay strings (categories).
 */
import type { InferenceTensor } from './recorder.js';
import type { ColumnSpec, DecodedRows } from './window.js';

/** One input of the model signature. */
export interface SignatureInput {
  name: string;
  datatype?: string;
  shape?: number[];
  features?: ColumnSpec[];
}

/** One output of the model signature. */
export interface SignatureOutput {
  name: string;
  datatype?: string;
  shape?: number[];
}

/** The features of a signature, in order. */
export function signatureFeatures(inputs: readonly SignatureInput[]): ColumnSpec[] {
  return inputs.flatMap(i => i.features ?? []);
}

/** Feature names per signature, worked out once per watched model rather than once per request. */
const featureNameSets = new WeakMap<readonly SignatureInput[], ReadonlySet<string>>();

function featureNamesOf(signature: readonly SignatureInput[]): ReadonlySet<string> {
  let names = featureNameSets.get(signature);
  if (!names) {
    names = new Set(signatureFeatures(signature).map(f => f.name));
    featureNameSets.set(signature, names);
  }
  return names;
}

/** A tensor's values as a flat row-major list: v2 allows nested lists, but most are flat already and `flat(Infinity)` copies even those, slowly. */
export function flatValues(data: unknown[]): unknown[] {
  return data.some(Array.isArray) ? data.flat(Infinity) : data;
}

/** A tensor's data as a flat row-major list (v2 allows nested lists), or undefined if it does not match its shape. */
function flatData(tensor: InferenceTensor): { rows: number; width: number; data: readonly unknown[] } | undefined {
  const shape = tensor.shape;
  if (!Array.isArray(shape) || shape.length < 1 || shape.length > 2 || !shape.every(d => Number.isInteger(d) && d >= 0)) {
    return undefined;
  }
  if (!Array.isArray(tensor.data)) {
    return undefined;
  }
  const data = flatValues(tensor.data);
  const rows = shape[0];
  const width = shape.length === 2 ? shape[1] : 1;
  return data.length === rows * width ? { rows, width, data } : undefined;
}

/** Column `j` of a row-major `rows x width` list. */
function column(data: readonly unknown[], rows: number, width: number, j: number): unknown[] {
  if (width === 1) {
    return data as unknown[];
  }
  const out = new Array<unknown>(rows);
  for (let r = 0; r < rows; r++) {
    out[r] = data[r * width + j];
  }
  return out;
}

/**
 * The feature rows of a request, or undefined when its tensors do not fit the signature (a request
 * the model server will reject anyway, or one whose tensors disagree on the number of rows).
 */
export function decodeInputs(tensors: readonly InferenceTensor[] | undefined, signature: readonly SignatureInput[]): DecodedRows | undefined {
  if (!Array.isArray(tensors)) {
    return undefined;
  }
  const featureNames = featureNamesOf(signature);
  const columns = new Map<string, readonly string[] | ArrayLike<number>>();
  let rows = -1;
  for (const tensor of tensors) {
    const flat = tensor && typeof tensor === 'object' ? flatData(tensor) : undefined;
    if (!flat) {
      continue;
    }
    const named: [string, unknown[]][] = [];
    if (flat.width === 1 && featureNames.has(tensor.name)) {
      named.push([tensor.name, column(flat.data, flat.rows, 1, 0)]);
    } else {
      const input = signature.find(i => i.name === tensor.name) ?? (signature.length === 1 ? signature[0] : undefined);
      const features = input?.features ?? [];
      if (features.length === flat.width) {
        features.forEach((f, j) => named.push([f.name, column(flat.data, flat.rows, flat.width, j)]));
      }
    }
    for (const [name, values] of named) {
      if (rows >= 0 && values.length !== rows) {
        return undefined;
      }
      rows = values.length;
      columns.set(name, values as readonly string[]);
    }
  }
  return rows > 0 ? { rows, columns } : undefined;
}

/**
 * The predictions of an answer as one column named `column`: the output named like the signature's
 * first output (else the first output), when it holds one value per row.
 */
export function decodePredictions(
  tensors: readonly InferenceTensor[] | undefined,
  outputs: readonly SignatureOutput[],
  columnName: string
): DecodedRows | undefined {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    return undefined;
  }
  const wanted = outputs[0]?.name;
  const tensor = tensors.find(t => t?.name === wanted) ?? tensors[0];
  const flat = tensor && typeof tensor === 'object' ? flatData(tensor) : undefined;
  if (!flat || flat.width !== 1 || flat.rows === 0) {
    return undefined;
  }
  return { rows: flat.rows, columns: new Map([[columnName, flat.data as readonly string[]]]) };
}
