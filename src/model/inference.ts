/**
 * Pure helpers for trying a deployment: the OIP v2 request body built from a
 * model's signature (and its training baseline), and the snippets that call
 * the endpoint from a terminal or a kernel.
 */
import { URLExt } from '@jupyterlab/coreutils';

import { SERVICE_MOUNT } from '../api';
import {
  IDeployment,
  IInferRequest,
  IInferTensor,
  IModelSignature,
  ISignatureTensor,
  JSONValue
} from '../wire';

/** A feature of a saved model's `baseline.json` (or a monitoring baseline). */
export interface IBaselineFeature {
  /** Column name. */
  name: string;
  /** Numeric or categorical. */
  kind?: 'numeric' | 'categorical';
  /** Quantile edges of a numeric feature. */
  edges?: number[];
  /** Training values of a numeric feature. */
  sample?: number[];
  /** Counts per category of a categorical feature. */
  categories?: Record<string, number>;
}

/** The training baseline saved with a model: features by name. */
export type Baseline = ReadonlyMap<string, IBaselineFeature>;

/** Index the features of a parsed `baseline.json` by name. */
export function baselineFromJson(value: unknown): Baseline {
  const features = (value as { features?: unknown } | null)?.features;
  const map = new Map<string, IBaselineFeature>();
  if (Array.isArray(features)) {
    for (const feature of features as IBaselineFeature[]) {
      if (feature && typeof feature.name === 'string') {
        map.set(feature.name, feature);
      }
    }
  }
  return map;
}

/**
 * A typical value of a feature: the training median of a numeric feature,
 * the most frequent training category of a categorical one.
 */
export function typicalValue(
  feature: IBaselineFeature | undefined,
  kind: 'numeric' | 'categorical'
): number | string {
  if (kind === 'categorical' || feature?.categories) {
    const categories = Object.entries(feature?.categories ?? {});
    if (categories.length === 0) {
      return '';
    }
    categories.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return categories[0][0];
  }
  const edges = feature?.edges ?? [];
  if (edges.length > 0) {
    return edges[Math.floor(edges.length / 2)];
  }
  const sample = [...(feature?.sample ?? [])].sort((a, b) => a - b);
  return sample.length ? sample[Math.floor(sample.length / 2)] : 0;
}

/** A value of a tensor's data type. */
function coerce(value: number | string, datatype: string): JSONValue {
  if (datatype === 'BYTES') {
    return String(value);
  }
  const number = typeof value === 'number' ? value : Number(value) || 0;
  if (datatype.startsWith('INT') || datatype.startsWith('UINT')) {
    return Math.round(number);
  }
  if (datatype === 'BOOL') {
    return number !== 0;
  }
  return number;
}

/** One row of an input tensor. */
function exampleRow(tensor: ISignatureTensor, baseline: Baseline): JSONValue[] {
  const features = tensor.features ?? [];
  if (features.length > 0) {
    return features.map(feature =>
      coerce(
        typicalValue(baseline.get(feature.name), feature.kind),
        tensor.datatype
      )
    );
  }
  // Without named columns: one value per column the shape asks for.
  const width = tensor.shape.length > 1 ? Math.max(1, tensor.shape[1]) : 1;
  return Array.from({ length: width }, () => coerce(0, tensor.datatype));
}

/**
 * Whether a signature has the columns layout (one rank-1 input per column,
 * from a DataFrame) rather than one matrix input.
 */
export function isColumnsLayout(signature: IModelSignature | null): boolean {
  const inputs = signature?.inputs ?? [];
  return inputs.length > 0 && inputs.every(input => input.shape.length === 1);
}

/**
 * An OIP v2 request of `rows` rows for a signature, as `laketahoe.predict`
 * encodes one: each feature gets its typical training value; the columns
 * layout sends one input per column with `content_type: "pd"`, the matrix
 * layout one `[rows, n]` input; text goes with `content_type: "str"`.
 */
export function buildInferRequest(
  signature: IModelSignature | null,
  baseline: Baseline = new Map(),
  rows = 1
): IInferRequest {
  const columns = isColumnsLayout(signature);
  const inputs = (signature?.inputs ?? []).map(tensor => {
    const row = exampleRow(tensor, baseline);
    const data: JSONValue[] = [];
    for (let i = 0; i < rows; i++) {
      data.push(...row);
    }
    const input: IInferTensor = {
      name: tensor.name,
      shape: columns ? [rows * row.length] : [rows, row.length],
      datatype: tensor.datatype,
      data
    };
    if (tensor.datatype === 'BYTES') {
      input.parameters = { content_type: 'str' };
    }
    return input;
  });
  const request: IInferRequest = { inputs };
  if (columns) {
    request.parameters = { content_type: 'pd' };
  }
  return request;
}

/**
 * The rows of a request, each a list of feature values in signature order:
 * columns zipped for the columns layout, the first input's rows otherwise.
 */
export function requestRows(request: IInferRequest): unknown[][] {
  const inputs = request.inputs;
  if (inputs.length === 0) {
    return [];
  }
  if (inputs.every(input => input.shape.length === 1)) {
    const count = Math.min(...inputs.map(input => input.data.length));
    return Array.from({ length: count }, (_, i) =>
      inputs.map(input => input.data[i])
    );
  }
  const input = inputs[0];
  const width = input.shape.length > 1 ? Math.max(1, input.shape[1]) : 1;
  const rows: unknown[][] = [];
  for (let i = 0; i + width <= input.data.length; i += width) {
    rows.push(input.data.slice(i, i + width));
  }
  return rows;
}

/**
 * JSON (a request or a response) as readable text: indented, but with each
 * list of plain values (shapes, data) on one line.
 */
export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /\[\s*([^[\]{}]*?)\s*\]/g,
    (_, inner: string) => `[${inner.replace(/,\s*\n\s*/g, ', ')}]`
  );
}

/** Parse the edited request body; the error names what is wrong. */
export function parseInferRequest(
  text: string
): { request: IInferRequest } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `Not valid JSON: ${(error as Error).message}` };
  }
  const inputs = (value as { inputs?: unknown } | null)?.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0) {
    return { error: 'The body needs a non-empty "inputs" list.' };
  }
  return { request: value as IInferRequest };
}

/** The endpoint's browser-facing URL, through Jupyter Server's proxy. */
export function endpointUrl(baseUrl: string, deployment: IDeployment): string {
  return URLExt.join(baseUrl, SERVICE_MOUNT, deployment.endpoint);
}

/** Quote a string for a POSIX shell. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

/** A curl command that posts `request` to the endpoint with a Jupyter token. */
export function curlSnippet(url: string, request: IInferRequest): string {
  return [
    `curl -X POST ${shellQuote(url)} \\`,
    '  -H "Authorization: token $JUPYTER_TOKEN" \\',
    "  -H 'Content-Type: application/json' \\",
    `  -d ${shellQuote(JSON.stringify(request))}`
  ].join('\n');
}

/** Python literal of a JSON value (True/False/None spelled as Python does). */
function pythonLiteral(value: unknown): string {
  if (value === null || value === undefined) {
    return 'None';
  }
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  if (Array.isArray(value)) {
    return `[${value.map(pythonLiteral).join(', ')}]`;
  }
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${JSON.stringify(k)}: ${pythonLiteral(v)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Python that calls the deployment from a kernel with `laketahoe.predict`,
 * passing the request's rows (lists in column order).
 */
export function pythonSnippet(
  deployment: IDeployment,
  request: IInferRequest
): string {
  const rows = requestRows(request);
  return [
    'import laketahoe',
    '',
    `X = ${pythonLiteral(rows.length ? rows : [[]])}`,
    `predictions = laketahoe.predict(${JSON.stringify(deployment.name)}, X)`,
    'print(predictions)'
  ].join('\n');
}
