/**
 * One request to a deployment's model server and what its answer means to the caller, shared by the
 * inference proxy's Fastify routes and its fast path: the bytes go out and come back as they are, and
 * only a failed answer is read (to say why in the service's error shape).
 */
import { ServiceError } from '../errors.js';
import type { InferenceTensor } from '../monitoring/recorder.js';
import type { ServingTarget } from '../serving/servingTarget.js';
import type { WholeAnswer } from '../serving/wholeAnswer.js';

/** The headers of a request with a body: one object for all, so that the model server's copy with its secret is made once. */
export const JSON_BODY_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'content-type': 'application/json' });

/** Whether a request failed because the connection it went out on was closed under it. */
function isConnectionReset(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE';
}

/** Whether the cluster's proxy found no model server pod to answer (see ServiceEndpoint). */
function isNoEndpoint(err: unknown): boolean {
  return (err as { code?: string }).code === 'LT_NO_ENDPOINT';
}

/** The pause before a request no pod answered is tried again: a pod leaving or joining the Service. */
const NO_ENDPOINT_RETRY_MS = 250;

/** Why the model server did not answer, in a few words the caller may see (no addresses). */
function noAnswerReason(err: unknown): string {
  if (isNoEndpoint(err)) {
    return (err as Error).message;
  }
  const code = (err as { code?: string }).code;
  return code ? `connection failed (${code})` : 'connection failed';
}

/** The tensors of a parsed OIP v2 body's `inputs` or `outputs`, when it is a list. */
export function tensors(value: unknown): InferenceTensor[] | undefined {
  return Array.isArray(value) ? (value as InferenceTensor[]) : undefined;
}

/** A JSON object body, or undefined when there is none or it is no JSON object. */
export function parseJson(body: Buffer | undefined): Record<string, unknown> | undefined {
  if (!body) {
    return undefined;
  }
  try {
    const value = JSON.parse(body.toString('utf8'));
    return value && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Sends one request to the model server and reads its whole answer; an `unavailable` ServiceError when
 * it does not answer. Counts the request in flight meanwhile (a version switch drains on that count).
 */
export async function callModelServer(serving: ServingTarget, method: 'GET' | 'POST', urlPath: string, body?: Buffer): Promise<WholeAnswer> {
  const { server } = serving;
  const options = { method, path: urlPath, headers: body ? JSON_BODY_HEADERS : undefined, body };
  server.inflight += 1;
  try {
    try {
      return await server.send(options);
    } catch (err) {
      // The server closes a kept-alive connection after a 500; a request sent on it at that moment
      // was never read. On a cluster, the Service may be between pods for a moment, or the API
      // server's proxy may drop an answer half-way. Nothing reached the caller and inference has no
      // side effects, so one more try is safe.
      if (!(isConnectionReset(err) || isNoEndpoint(err)) || server.exited) {
        throw err;
      }
      if (isNoEndpoint(err)) {
        await new Promise(resolve => setTimeout(resolve, NO_ENDPOINT_RETRY_MS));
      }
      return await server.send(options);
    }
  } catch (err) {
    throw new ServiceError('unavailable', `the model server did not answer (it may be restarting): ${noAnswerReason(err)}`);
  } finally {
    server.inflight -= 1;
  }
}

/**
 * What the caller gets instead of the model server's answer: undefined when the answer is passed on as
 * it is (success, and a readiness 503 as the contract says), else the error in the service's shape. A 500
 * on a request that cannot fit its model is the caller's mistake, so it says what is wrong with it; the
 * reason is this answer's own (the server's log is shared by every caller's requests).
 */
export function upstreamFailure(method: 'GET' | 'POST', answer: WholeAnswer, requestBody?: Buffer): ServiceError | undefined {
  const { status, body } = answer;
  if (status < 400 || (method === 'GET' && status === 503)) {
    return undefined;
  }
  if (status === 404) {
    return new ServiceError('not_found', `model server: ${serverReason(body)}`);
  }
  if (status < 500) {
    return new ServiceError('invalid_argument', `model server rejected the request: ${serverReason(body)}`);
  }
  const malformed = requestBody ? malformedTensor(requestBody) : undefined;
  const reason = serverReason(body);
  if (malformed) {
    return new ServiceError('invalid_argument', `model server rejected the request: ${malformed} (${reason})`);
  }
  return new ServiceError('model_server_error', `the model server failed: ${reason}`);
}

/**
 * Why an OIP v2 request cannot be served, found by reading it (only on the error path): a tensor whose
 * data does not fill its shape, or one without name, datatype, shape or data.
 */
export function malformedTensor(body: Buffer | undefined): string | undefined {
  const inputs = parseJson(body)?.inputs;
  if (!Array.isArray(inputs)) {
    return 'inputs must be a list of tensors';
  }
  for (const [i, t] of inputs.entries()) {
    const tensor = t as Partial<InferenceTensor>;
    if (typeof tensor?.name !== 'string' || typeof tensor.datatype !== 'string' || !Array.isArray(tensor.shape) || !Array.isArray(tensor.data)) {
      return `inputs[${i}] needs name, datatype, shape and data`;
    }
    const wanted = tensor.shape.reduce((n: number, d) => n * Number(d), 1);
    const flat = (tensor.data as unknown[]).flat(Infinity).length;
    if (Number.isFinite(wanted) && wanted >= 0 && wanted !== flat) {
      return `inputs[${i}] (${tensor.name}): shape [${tensor.shape.join(', ')}] needs ${wanted} values, data has ${flat}`;
    }
    const mismatch = datatypeMismatch(tensor.datatype, tensor.data as unknown[]);
    if (mismatch) {
      return `inputs[${i}] (${tensor.name}): ${mismatch}`;
    }
  }
  return undefined;
}

/** What kind of value each OIP datatype holds (BYTES: strings; the rest numbers or booleans). */
function datatypeMismatch(datatype: string, data: unknown[]): string | undefined {
  const type = datatype.toUpperCase();
  const expect: 'number' | 'boolean' | 'string' | undefined =
    type === 'BYTES' ? 'string' : type === 'BOOL' ? 'boolean' : /^(FP|INT|UINT)\d+$/.test(type) ? 'number' : undefined;
  if (!expect) {
    return `datatype ${datatype} is not an inference datatype`;
  }
  const flat = data.flat(Infinity);
  const at = flat.findIndex(v => !(typeof v === expect || (expect === 'boolean' && (v === 0 || v === 1))));
  if (at < 0) {
    return undefined;
  }
  const shown = JSON.stringify(flat[at]) ?? String(flat[at]);
  return `data[${at}] is ${shown.length > 40 ? `${shown.slice(0, 40)}...` : shown}, not a ${expect} as ${datatype} needs`;
}

/** The reason in a model server's error answer (`{"error": ...}` or FastAPI's `{"detail": [...]}`). */
function serverReason(body: Buffer): string {
  const parsed = parseJson(body);
  if (typeof parsed?.error === 'string') {
    return parsed.error;
  }
  if (Array.isArray(parsed?.detail)) {
    return (parsed.detail as { loc?: unknown[]; msg?: string }[])
      .map(d => `${(d.loc ?? []).filter(p => p !== 'body').join('.') || 'body'}: ${d.msg ?? 'invalid'}`)
      .join('; ');
  }
  if (typeof parsed?.detail === 'string') {
    return parsed.detail;
  }
  return body.toString('utf8').slice(0, 500) || 'no reason given';
}
