/**
 * Open Inference Protocol (v2) shapes and the model signature.
 *
 * Inference bodies pass the service unchanged to the model server, and a model version's `signature` is
 * open in the service's schema (it is written by the Python client at save time), so these are not in the
 * OpenAPI document: they follow the OIP v2 specification and laketahoe/signature.py.
 */
import type { IModelVersion, JSONValue } from './types';

/** OIP v2 tensor data types the signature uses. */
export type TensorDatatype =
  | 'FP64'
  | 'FP32'
  | 'INT64'
  | 'INT32'
  | 'BOOL'
  | 'BYTES';

/** One feature (a column) of a signature input. */
export interface ISignatureFeature {
  /** Column name. */
  name: string;
  /** Numeric or categorical. */
  kind: 'numeric' | 'categorical';
}

/** One tensor of a model signature. */
export interface ISignatureTensor {
  /** Tensor name, as sent in an inference request. */
  name: string;
  /** OIP v2 data type. */
  datatype: TensorDatatype;
  /** Shape; -1 for the batch dimension. */
  shape: number[];
  /** The columns of a 2-D input, in order. */
  features?: ISignatureFeature[];
}

/** The inputs and outputs a model expects and answers. */
export interface IModelSignature {
  /** Input tensors. */
  inputs: ISignatureTensor[];
  /** Output tensors. */
  outputs: ISignatureTensor[];
}

/** An Open Inference Protocol (v2) tensor. */
export interface IInferTensor {
  /** Tensor name. */
  name: string;
  /** Shape. */
  shape: number[];
  /** Data type. */
  datatype: string;
  /** Row-major values. */
  data: unknown[];
  /** Optional parameters. */
  parameters?: Record<string, JSONValue>;
}

/** An OIP v2 inference request. */
export interface IInferRequest {
  /** Request id. */
  id?: string;
  /** Input tensors. */
  inputs: IInferTensor[];
  /** Requested outputs. */
  outputs?: { name: string }[];
  /** Request parameters. */
  parameters?: Record<string, JSONValue>;
}

/**
 * A version's signature as the Python client writes it. The service stores it without a schema, so this is
 * the one place that reads it as an {@link IModelSignature}.
 */
export function signatureOf(
  version: Pick<IModelVersion, 'signature'> | null | undefined
): IModelSignature | null {
  const signature = version?.signature as Partial<IModelSignature> | null;
  return signature &&
    Array.isArray(signature.inputs) &&
    Array.isArray(signature.outputs)
    ? (signature as IModelSignature)
    : null;
}
