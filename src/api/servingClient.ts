import {
  ICreateDeploymentRequest,
  IDeployment,
  IInferRequest,
  IModel,
  IModelVersion,
  IUpdateDeploymentRequest,
  JsonAnswer,
  JsonBody
} from '../wire';
import { TrialsClient } from './trialsClient';
import { deploymentPath, inferPath, jobPath, modelPath } from './routes';

/**
 * The model registry and deployment routes, and inference through the
 * service.
 */
export class ServingClient extends TrialsClient {
  /** GET /models: the caller's models, newest first (without versions). */
  async listModels(signal?: AbortSignal): Promise<IModel[]> {
    const body = await this.requester.json<JsonAnswer<'/api/v1/models'>>(
      'GET',
      'models',
      {
        signal
      }
    );
    return body.models ?? [];
  }

  /** GET /models/{name}: a model with its versions, newest first. */
  getModel(name: string, signal?: AbortSignal): Promise<IModel> {
    return this.requester.json<IModel>('GET', modelPath(name), { signal });
  }

  /** GET /models/{name}/versions/{version}. */
  getModelVersion(
    name: string,
    version: number,
    signal?: AbortSignal
  ): Promise<IModelVersion> {
    return this.requester.json<IModelVersion>(
      'GET',
      `${modelPath(name)}/versions/${encodeURIComponent(String(version))}`,
      { signal }
    );
  }

  /** POST /models: register a saved model folder (relative to the root). */
  registerModel(
    request: JsonBody<'/api/v1/models', 'post'>,
    signal?: AbortSignal
  ): Promise<IModelVersion> {
    return this.requester.json<IModelVersion>('POST', 'models', {
      body: request,
      signal
    });
  }

  /** GET /deployments: the caller's deployments. */
  async listDeployments(signal?: AbortSignal): Promise<IDeployment[]> {
    const body = await this.requester.json<JsonAnswer<'/api/v1/deployments'>>(
      'GET',
      'deployments',
      { signal }
    );
    return body.deployments ?? [];
  }

  /** GET /deployments/{name}. */
  getDeployment(name: string, signal?: AbortSignal): Promise<IDeployment> {
    return this.requester.json<IDeployment>('GET', deploymentPath(name), {
      signal
    });
  }

  /** POST /deployments: serve a model version, or a job's saved model. */
  createDeployment(
    request: ICreateDeploymentRequest,
    signal?: AbortSignal
  ): Promise<IDeployment> {
    return this.requester.json<IDeployment>('POST', 'deployments', {
      body: request,
      signal
    });
  }

  /** PATCH /deployments/{name}: switch the version or the monitoring. */
  updateDeployment(
    name: string,
    request: IUpdateDeploymentRequest,
    signal?: AbortSignal
  ): Promise<IDeployment> {
    return this.requester.json<IDeployment>('PATCH', deploymentPath(name), {
      body: request,
      signal
    });
  }

  /** POST /jobs/{jobId}/models: register the model a job (or one trial) saved. */
  registerJobModel(
    jobId: string,
    trialId?: string,
    signal?: AbortSignal
  ): Promise<IModelVersion> {
    return this.requester.json<IModelVersion>(
      'POST',
      `${jobPath(jobId)}/models`,
      { body: trialId === undefined ? {} : { trialId }, signal }
    );
  }

  /**
   * POST /deployments/{name}/promote: a ready challenger (`version`, or the
   * only one) becomes the champion; the other challengers stay.
   */
  promoteDeployment(
    name: string,
    version?: number,
    signal?: AbortSignal
  ): Promise<IDeployment> {
    return this.requester.json<IDeployment>(
      'POST',
      `${deploymentPath(name)}/promote`,
      {
        query: version === undefined ? undefined : { version: String(version) },
        signal
      }
    );
  }

  /** DELETE /deployments/{name}: stop serving and forget it. */
  deleteDeployment(name: string, signal?: AbortSignal): Promise<IDeployment> {
    return this.requester.json<IDeployment>('DELETE', deploymentPath(name), {
      signal
    });
  }

  /**
   * POST an OIP v2 inference request to a deployment's model. The body is
   * sent as given (text), so what the user typed is what the server reads.
   */
  infer(
    deployment: string,
    model: string,
    body: IInferRequest | string,
    signal?: AbortSignal
  ): Promise<Record<string, unknown>> {
    return this.requester.json('POST', inferPath(deployment, model), {
      body,
      rawBody: typeof body === 'string',
      signal
    });
  }
}
