/**
 * The inference proxy's fast path. The common request (POST infer with a JSON body within the limit,
 * a known token, nothing of a cross-site request, the caller's deployment ready in this replica) is
 * answered as soon as the HTTP server has parsed its head, without Fastify's routing, hooks, body parser
 * and reply: these were about a fifth of the service's CPU per inference. Every other request goes on to
 * the Fastify routes untouched, its body unread, and gets the answer it always got there: the fast path
 * only takes a request once every check those routes make has passed, with the same checks (token table
 * and hashing, tenancy, CSRF rule, size limit), so what it answers is what the routes would answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import { ServiceError } from '../errors.js';
import type { DeploymentService } from '../serving/deployments.js';
import { route } from '../serving/traffic.js';
import { bearerToken, type Authenticator } from './auth.js';
import { crossSiteReason } from './csrf.js';
import { httpStatus, type ErrorBody } from './errors.js';
import type { InferenceRecording, PendingSample } from './inferenceRecording.js';
import { callModelServer, upstreamFailure } from './inferenceUpstream.js';

/** What the fast path needs. */
export interface InferenceFastPathDeps {
  auth: Authenticator;
  deployments: DeploymentService;
  recording: InferenceRecording;
  /** The inference body limit (larger ones go to the route, which answers 413). */
  maxInferBytes: number;
  /** Where an unexpected failure is logged, with the request's id. */
  log: FastifyBaseLogger;
  /** The next request id, from the sequence Fastify's own come from. */
  nextRequestId: () => string;
}

/**
 * The infer route with names that need no decoding: a letter, digit, `_` or `-` first, then those and
 * dots, at most 63 characters as the route's schema allows. Anything else (percent-encoded names, a query
 * string, a trailing slash) is the router's to read.
 */
const INFER_PATH = /^\/api\/v1\/deployments\/([A-Za-z0-9_-][A-Za-z0-9._-]{0,62})\/v2\/models\/([A-Za-z0-9_-][A-Za-z0-9._-]{0,62})\/infer$/;
const DECIMAL = /^[0-9]{1,15}$/;

/** Answers the common inference request before Fastify routes it; see the module's comment. */
export class InferenceFastPath {
  /** Off while the service shuts down: Fastify's routes then answer as they do when closing. */
  private open = true;
  /** Requests taken so far (the rest went to the Fastify routes). */
  taken = 0;

  constructor(private readonly deps: InferenceFastPathDeps) {}

  /** Stops taking requests (all go to the Fastify routes from now on). */
  close(): void {
    this.open = false;
  }

  /**
   * Takes `req` and answers it, or returns false without touching it (the caller hands it to Fastify).
   * Everything that can send it elsewhere is decided here, before its body is read.
   */
  take(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'POST' || !this.open) {
      return false;
    }
    const path = INFER_PATH.exec(req.url ?? '');
    if (!path) {
      return false;
    }
    const started = performance.now();
    const headers = req.headers;
    const length = headers['content-length'];
    // Chunked or empty bodies, other media types, oversize bodies: the route's parser and 413 decide.
    if (length === undefined || !DECIMAL.test(length) || Number(length) === 0 || Number(length) > this.deps.maxInferBytes) {
      return false;
    }
    if (headers['transfer-encoding'] !== undefined || !isJson(headers['content-type'])) {
      return false;
    }
    const caller = this.deps.auth.knownCaller(bearerToken(req), req.socket);
    if (!caller || crossSiteReason({ method: 'POST', headers }) !== undefined) {
      return false; // 401 (or the hub asked), 403: the route's hooks answer.
    }
    const [, name, model] = path;
    const targets = this.deps.deployments.readyTraffic(caller.user, name);
    const chosen = targets && route(targets);
    if (!chosen || chosen.answer.model !== model) {
      return false; // 404 and 503 with their reasons, stored targets, waking: the route's.
    }
    const pending: PendingSample = {
      owner: caller.user,
      deployment: name,
      time: Date.now(),
      serving: chosen.answer,
      role: chosen.role,
      mirrors: chosen.mirrors,
      compared: chosen.compared,
      urlPath: `/v2/models/${model}/infer`
    };
    this.taken += 1;
    this.answer(req, res, pending, Number(length), started);
    return true;
  }

  /**
   * Reads the body, forwards it, relays the answer and hands the request to the recording. The body is
   * forwarded as soon as its last byte is in, which is usually while the HTTP parser still holds the
   * request's packet: the stream's 'end' comes a few turns of the event loop later. The parser never
   * passes more than Content-Length bytes as this request's body.
   */
  private answer(req: IncomingMessage, res: ServerResponse, pending: PendingSample, length: number, started: number): void {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received < length) {
        return;
      }
      req.off('data', onData);
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length);
      pending.requestBody = body;
      const send = (status: number, contentType: string, payload: Buffer | string) => {
        res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) });
        // Recorded once the answer is out, or failed to go out: as the route's onResponse hook is.
        const finished = () => {
          res.off('finish', finished);
          res.off('error', finished);
          this.deps.recording.answered(pending, status, performance.now() - started);
        };
        res.on('finish', finished);
        res.on('error', finished);
        res.end(payload);
      };
      const sendError = (err: ServiceError) => send(httpStatus(err.code), 'application/json; charset=utf-8', errorText(err));
      const failed = (err: unknown) => {
        if (err instanceof ServiceError) {
          sendError(err);
          return;
        }
        // Only an unexpected failure gets a request id: nothing else of this path is logged.
        this.deps.log.child({ reqId: this.deps.nextRequestId() }).error({ err }, 'request failed');
        if (res.headersSent) {
          res.destroy();
        } else {
          sendError(new ServiceError('internal', 'internal error'));
        }
      };
      callModelServer(pending.serving!, 'POST', pending.urlPath!, body)
        .then(answer => {
          pending.responseBody = answer.body;
          const failure = upstreamFailure('POST', answer, body);
          if (failure) {
            sendError(failure);
          } else {
            send(answer.status, answer.contentType ?? 'application/json', answer.body);
          }
        })
        .catch(failed);
    };
    req.on('data', onData);
  }
}

/** Whether a Content-Type names JSON (parameters such as charset allowed). */
function isJson(type: string | undefined): boolean {
  if (type === undefined) {
    return false;
  }
  const semicolon = type.indexOf(';');
  return (semicolon < 0 ? type : type.slice(0, semicolon)).trim().toLowerCase() === 'application/json';
}

/** An error as the service's error handler writes it. */
function errorText(err: ServiceError): string {
  const body: ErrorBody = { error: { code: err.code, message: err.message } };
  if (err.field) {
    body.error.field = err.field;
  }
  return JSON.stringify(body);
}
