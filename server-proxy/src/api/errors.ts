import { Type } from '@sinclair/typebox';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError, type ErrorCode } from '../errors.js';

/** The HTTP status of each error code. */
const STATUS: Record<ErrorCode, number> = {
  invalid_argument: 400,
  failed_precondition: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  already_exists: 409,
  conflict: 409,
  payload_too_large: 413,
  internal: 500,
  model_server_error: 502,
  unavailable: 503
};

/** The HTTP status an error answers with. */
export function httpStatus(code: ErrorCode): number {
  return STATUS[code];
}

/** The error body's schema, registered once at the root so every route plugin can refer to `Error`. */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      field: Type.Optional(Type.String())
    })
  },
  { $id: 'Error' }
);

/** Route response schemas for the given error statuses, all of the one `Error` shape. */
export const errorResponses = (...codes: number[]) => Object.fromEntries(codes.map(c => [c, Type.Ref(ErrorResponse)]));

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string };
}

/** Turns an ajv instance path (`/trainingInput/scaleTier`) plus the blamed property into a dotted path. */
export function dottedField(instancePath: string, extra?: string): string | undefined {
  const parts = instancePath.split('/').filter(p => p !== '');
  if (extra) {
    parts.push(extra);
  }
  if (parts.length === 0) {
    return undefined;
  }
  const names = parts.map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  // Inside an HPO spec, list items are written `params[1]`, as the HPO engine's own checks name them.
  if (names[0] === 'trainingInput' && names[1] === 'hyperparameters') {
    return names.reduce((acc, p, i) => (i === 0 ? p : /^\d+$/.test(p) ? `${acc}[${p}]` : `${acc}.${p}`), '');
  }
  return names.join('.');
}

/** Maps fastify's validation failure (ajv) to an ServiceError naming the offending field. */
function fromValidation(err: FastifyError): ServiceError {
  const first = err.validation?.[0];
  const params = (first?.params ?? {}) as Record<string, unknown>;
  const blamed =
    typeof params.missingProperty === 'string'
      ? params.missingProperty
      : typeof params.additionalProperty === 'string'
        ? params.additionalProperty
        : undefined;
  const field = first ? dottedField(first.instancePath, blamed) : undefined;
  let message = first?.message ?? err.message;
  if (typeof params.additionalProperty === 'string') {
    message = 'is not a known field';
  } else if (Array.isArray(params.allowedValues)) {
    message = `must be one of ${params.allowedValues.join(', ')}`;
  }
  const where = field ?? err.validationContext ?? 'request';
  return new ServiceError('invalid_argument', `${where}: ${message}`, field);
}

/** Normalises anything thrown into an ServiceError; unknown failures become an opaque 500. */
export function toServiceError(err: unknown): ServiceError {
  if (err instanceof ServiceError) {
    return err;
  }
  const fe = err as FastifyError;
  if (fe && Array.isArray(fe.validation)) {
    return fromValidation(fe);
  }
  const status = typeof fe?.statusCode === 'number' ? fe.statusCode : 500;
  if (status === 413) {
    return new ServiceError('payload_too_large', 'request body is too large');
  }
  if (status === 404) {
    return new ServiceError('not_found', 'not found');
  }
  if (status >= 400 && status < 500) {
    // fastify's own 4xx (malformed JSON, bad content type) carry a safe message.
    return new ServiceError('invalid_argument', fe.message);
  }
  return new ServiceError('internal', 'internal error');
}

/** The single fastify error handler: logs 5xx with their cause, answers every error in one shape. */
export function errorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const apiError = toServiceError(err);
  if (apiError.code === 'internal') {
    request.log.error({ err }, 'request failed');
  }
  const body: ErrorBody = { error: { code: apiError.code, message: apiError.message } };
  if (apiError.field) {
    body.error.field = apiError.field;
  }
  void reply.status(httpStatus(apiError.code)).send(body);
}
