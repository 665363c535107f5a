import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError } from '../../errors.js';
import { errorHandler, errorResponses } from '../errors.js';
import type { InferenceRecorder, InferenceSample, InferenceTensor } from '../../monitoring/recorder.js';
import type { DeploymentService } from '../../serving/deployments.js';
import type { ServingTarget as Serving } from '../../serving/servingTarget.js';
import { MirrorGate, route } from '../../serving/traffic.js';
import { deploymentKey } from '../../serving/deploymentUpdater.js';
import type { VersionMonitor } from '../../monitoring/versions.js';

/** What the inference proxy needs. */
export interface ProxyDeps {
  deployments: DeploymentService;
  recorder: InferenceRecorder;
  /** Larger inference bodies are refused with 413. */
  maxInferBytes: number;
  /** Per-version figures (champion and challenger side by side). */
  versions: VersionMonitor;
  /** Shadow copies in flight per deployment before further copies are dropped (default 64). */
  maxMirrorInflight?: number;
}

const NameParams = Type.Object({ name: Type.String({ maxLength: 63 }) });
const ModelParams = Type.Object({ name: Type.String({ maxLength: 63 }), model: Type.String({ maxLength: 63 }) });
const PASS_THROUGH = 'Answers what the model server answered (Open Inference Protocol v2); errors in the service shape.';

/** What an inference request left for the recorder, filled in as it is handled. */
interface PendingSample {
  serving?: Serving;
  /** Which version answered (champion unless a canary sent the request to a challenger). */
  role?: 'champion' | 'challenger';
  /** The shadow challengers that get a copy once the answer is out. */
  mirrors?: Serving[];
  /** The inference path on the model server, for the shadow copy. */
  urlPath?: string;
  owner: string;
  deployment: string;
  time: number;
  requestBody?: Buffer;
  responseBody?: Buffer;
}

declare module 'fastify' {
  interface FastifyRequest {
    inferSample?: PendingSample;
  }
}

/** Whether a request failed because the connection it went out on was closed under it. */
function isConnectionReset(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE';
}

function tensors(value: unknown): InferenceTensor[] | undefined {
  return Array.isArray(value) ? (value as InferenceTensor[]) : undefined;
}

function parseJson(body: Buffer | undefined): Record<string, unknown> | undefined {
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

/**
 * Open Inference Protocol v2 routes of a deployment, forwarded to its own model server on loopback.
 * The request body is forwarded as the bytes received and the answer returned as the bytes the server
 * sent: nothing is parsed on the way unless something failed. Monitoring reads both after the answer
 * has gone out.
 */
export const inferenceProxyRoutes: FastifyPluginAsyncTypebox<ProxyDeps> = async (app, deps) => {
  const { deployments, recorder, maxInferBytes, versions } = deps;
  const gate = new MirrorGate(deps.maxMirrorInflight ?? 64);
  const tooLarge = () =>
    new ServiceError('payload_too_large', `inference request body is larger than the limit of ${maxInferBytes} bytes (--max-infer-bytes)`);

  // Inference bodies stay raw bytes (any content type); only this plugin's routes see this parser.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxInferBytes }, (_request, body, done) => done(null, body));
  app.setErrorHandler((err: FastifyError, request, reply) => {
    errorHandler(err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? (tooLarge() as unknown as FastifyError) : err, request, reply);
  });

  /** The caller's deployment's ready server serving `model` (when given); 404 / 503 otherwise. */
  const target = async (request: FastifyRequest, name: string, model?: string): Promise<Serving> => {
    const supervisor = await deployments.resolve(request.user, name);
    if (!supervisor) {
      throw new ServiceError('not_found', `deployment ${name} not found`);
    }
    const serving = supervisor.serving;
    if (request.inferSample) {
      request.inferSample.serving = serving;
    }
    if (model !== undefined && serving && serving.model !== model) {
      throw new ServiceError('not_found', `deployment ${name} serves model ${serving.model}, not ${model}`);
    }
    if (!serving) {
      throw new ServiceError('unavailable', `deployment ${name} has no ready model server`);
    }
    return serving;
  };

  /** Forwards one request and relays the answer; model server errors become service errors. */
  const forward = async (
    reply: FastifyReply,
    serving: Serving,
    method: 'GET' | 'POST',
    urlPath: string,
    body?: Buffer,
    sample?: PendingSample
  ): Promise<FastifyReply> => {
    const { server } = serving;
    server.inflight += 1;
    let status: number;
    let contentType: string | undefined;
    let answer: Buffer;
    try {
      const options = { method, path: urlPath, headers: body ? { 'content-type': 'application/json' } : undefined, body };
      let res;
      try {
        res = await server.request(options);
      } catch (err) {
        // The server closes a kept-alive connection after a 500; a request sent on it at that moment
        // was never read. Inference has no side effects, so one more try on a fresh connection is safe.
        if (!isConnectionReset(err) || server.exited) {
          throw err;
        }
        res = await server.request(options);
      }
      status = res.statusCode;
      contentType = res.headers['content-type'] as string | undefined;
      answer = Buffer.from(await res.body.arrayBuffer());
    } catch {
      throw new ServiceError('unavailable', 'the model server did not answer (it may be restarting)');
    } finally {
      server.inflight -= 1;
    }
    if (sample) {
      sample.responseBody = answer;
    }
    if (status < 400 || (method === 'GET' && status === 503)) {
      // Readiness answers 503 while not ready: pass it on as is, as the contract says.
      return reply.status(status).header('content-type', contentType ?? 'application/json').send(answer);
    }
    if (status === 404) {
      throw new ServiceError('not_found', `model server: ${serverReason(answer)}`);
    }
    if (status < 500) {
      throw new ServiceError('invalid_argument', `model server rejected the request: ${serverReason(answer)}`);
    }
    // A 500 on a request that cannot fit its model is the caller's mistake: say what is wrong with it.
    // The reason is this answer's own: the server's log is shared by every caller's requests.
    const malformed = body ? malformedTensor(body) : undefined;
    const reason = serverReason(answer);
    if (malformed) {
      throw new ServiceError('invalid_argument', `model server rejected the request: ${malformed} (${reason})`);
    }
    throw new ServiceError('model_server_error', `the model server failed: ${reason}`);
  };

  /** Hands the answered request to the recorder once the answer is out, off the request's path. */
  const record = (request: FastifyRequest, reply: FastifyReply): void => {
    const pending = request.inferSample;
    if (!pending) {
      return;
    }
    const latencyMs = reply.elapsedTime;
    const status = reply.statusCode;
    setImmediate(() => {
      const serving = pending.serving ?? deployments.runner(pending.owner, pending.deployment)?.serving;
      if (!serving && !deployments.runner(pending.owner, pending.deployment)) {
        return; // No such deployment: nothing to attribute the request to.
      }
      const sample: InferenceSample = {
        owner: pending.owner,
        deployment: pending.deployment,
        model: serving?.model ?? '',
        version: serving?.version ?? 0,
        time: pending.time,
        latencyMs,
        status
      };
      const inputs = tensors(parseJson(pending.requestBody)?.inputs);
      if (inputs) {
        sample.inputs = inputs;
      }
      if (status < 400) {
        const outputs = tensors(parseJson(pending.responseBody)?.outputs);
        if (outputs) {
          sample.outputs = outputs;
        }
      }
      recorder.record(sample);
      if (serving && pending.role) {
        const key = deploymentKey(pending.owner, pending.deployment);
        versions.record(key, { ...serving, role: pending.role, returned: true, latencyMs, status, outputs: sample.outputs });
        if (pending.requestBody && status < 400) {
          for (const challenger of pending.mirrors ?? []) {
            mirror(key, challenger, pending.urlPath!, pending.requestBody, sample.outputs);
          }
        }
      }
    });
  };

  /**
   * Sends the shadow copy of an answered request to one challenger and records its answer beside the
   * champion's. Runs after the champion's answer has gone out, bounded per challenger, never awaited.
   */
  const mirror = (key: string, challenger: Serving, urlPath: string, body: Buffer, championOutputs: InferenceTensor[] | undefined): void => {
    const gateKey = `${key}\u0000${challenger.version}`;
    if (!gate.enter(gateKey)) {
      versions.dropped(key);
      return;
    }
    const { server } = challenger;
    const started = performance.now();
    server.inflight += 1;
    void server
      .request({ method: 'POST', path: urlPath, headers: { 'content-type': 'application/json' }, body })
      .then(async res => ({ status: res.statusCode, answer: Buffer.from(await res.body.arrayBuffer()) }))
      .catch(() => ({ status: 503, answer: Buffer.alloc(0) }))
      .then(({ status, answer }) => {
        const outputs = status < 400 ? tensors(parseJson(answer)?.outputs) : undefined;
        const latencyMs = performance.now() - started;
        versions.record(key, { model: challenger.model, version: challenger.version, role: 'challenger', returned: false, latencyMs, status, outputs });
        versions.recordShadow(key, challenger.version, championOutputs, outputs, status < 400);
      })
      .finally(() => {
        server.inflight -= 1;
        gate.leave(gateKey);
      });
  };

  app.post(
    '/deployments/:name/v2/models/:model/infer',
    {
      schema: {
        summary: "Inference (Open Inference Protocol v2) on the deployment's model server",
        description: `${PASS_THROUGH} Body limit: --max-infer-bytes.`,
        tags: ['inference'],
        params: ModelParams,
        response: errorResponses(400, 401, 404, 413, 502, 503)
      },
      bodyLimit: maxInferBytes,
      onRequest: async request => {
        const length = Number(request.headers['content-length']);
        const { name } = request.params as { name: string };
        request.inferSample = { owner: request.user, deployment: name, time: Date.now() };
        if (Number.isFinite(length) && length > maxInferBytes) {
          throw tooLarge();
        }
      },
      onResponse: async (request, reply) => record(request, reply)
    },
    async (request, reply) => {
      const { name, model } = request.params;
      let targets = await deployments.traffic(request.user, name);
      if (!targets) {
        throw new ServiceError('not_found', `deployment ${name} not found`);
      }
      let chosen = route(targets);
      // Scaled to zero: this request waits for a ready replica rather than failing.
      if (!chosen && (await deployments.wake(request.user, name))) {
        targets = (await deployments.traffic(request.user, name)) ?? targets;
        chosen = route(targets);
      }
      const pending = request.inferSample!;
      pending.serving = chosen?.answer ?? targets.champion;
      if (!chosen) {
        throw new ServiceError('unavailable', `deployment ${name} has no ready model server`);
      }
      if (chosen.answer.model !== model) {
        throw new ServiceError('not_found', `deployment ${name} serves model ${chosen.answer.model}, not ${model}`);
      }
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const urlPath = `/v2/models/${encodeURIComponent(model)}/infer`;
      Object.assign(pending, { requestBody: body, role: chosen.role, mirrors: chosen.mirrors, urlPath });
      return forward(reply, chosen.answer, 'POST', urlPath, body, pending);
    }
  );

  for (const probe of ['live', 'ready'] as const) {
    app.get(
      `/deployments/:name/v2/health/${probe}`,
      {
        schema: {
          summary: `The model server's ${probe === 'live' ? 'liveness' : 'readiness'} (503 while no server is ready)`,
          description: PASS_THROUGH,
          tags: ['inference'],
          params: NameParams,
          response: errorResponses(401, 404, 503)
        }
      },
      async (request, reply) => forward(reply, await target(request, request.params.name), 'GET', `/v2/health/${probe}`)
    );
  }

  for (const [suffix, summary] of [
    ['', 'Model metadata from the model server'],
    ['/ready', 'Model readiness from the model server']
  ] as const) {
    app.get(
      `/deployments/:name/v2/models/:model${suffix}`,
      {
        schema: { summary, description: PASS_THROUGH, tags: ['inference'], params: ModelParams, response: errorResponses(401, 404, 503) }
      },
      async (request, reply) => {
        const { name, model } = request.params;
        return forward(reply, await target(request, name, model), 'GET', `/v2/models/${encodeURIComponent(model)}${suffix}`);
      }
    );
  }
};
