import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError } from '../../errors.js';
import { errorHandler, errorResponses } from '../errors.js';
import type { DeploymentService } from '../../serving/deployments.js';
import type { ServingTarget as Serving } from '../../serving/servingTarget.js';
import { route } from '../../serving/traffic.js';
import type { InferenceRecording, PendingSample } from '../inferenceRecording.js';
import { callModelServer, upstreamFailure } from '../inferenceUpstream.js';

/** What the inference proxy needs. */
export interface ProxyDeps {
  deployments: DeploymentService;
  /** Counts answered requests and sends shadow copies (shared with the fast path). */
  recording: InferenceRecording;
  /** Larger inference bodies are refused with 413. */
  maxInferBytes: number;
}

const NameParams = Type.Object({ name: Type.String({ maxLength: 63 }) });
const ModelParams = Type.Object({ name: Type.String({ maxLength: 63 }), model: Type.String({ maxLength: 63 }) });
const PASS_THROUGH = 'Answers what the model server answered (Open Inference Protocol v2); errors in the service shape.';

declare module 'fastify' {
  interface FastifyRequest {
    inferSample?: PendingSample;
  }
}

/**
 * Open Inference Protocol v2 routes of a deployment, forwarded to its own model server on loopback.
 * The request body is forwarded as the bytes received and the answer returned as the bytes the server
 * sent: nothing is parsed on the way unless something failed. Monitoring reads both after the answer
 * has gone out. The common inference request is answered before it gets here (see inferenceFastPath.ts);
 * these routes answer the rest, and every error.
 */
export const inferenceProxyRoutes: FastifyPluginAsyncTypebox<ProxyDeps> = async (app, deps) => {
  const { deployments, recording, maxInferBytes } = deps;
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
    const answer = await callModelServer(serving, method, urlPath, body);
    if (sample) {
      sample.responseBody = answer.body;
    }
    const failure = upstreamFailure(method, answer, body);
    if (failure) {
      throw failure;
    }
    return reply.status(answer.status).header('content-type', answer.contentType ?? 'application/json').send(answer.body);
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
      onResponse: async (request, reply) => {
        if (request.inferSample) {
          recording.answered(request.inferSample, reply.statusCode, reply.elapsedTime);
        }
      }
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
      Object.assign(pending, { requestBody: body, role: chosen.role, mirrors: chosen.mirrors, compared: chosen.compared, urlPath });
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
