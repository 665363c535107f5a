import { ServerConnection } from '@jupyterlab/services';
import { ISignal } from '@lumino/signaling';

import {
  DeploymentState,
  IAlert,
  IDeployment,
  IJob,
  IModel,
  IModelVersion,
  ITrainingOutput,
  ITrial,
  JobState
} from '../wire';

/** A recorded request. */
export interface IRecordedRequest {
  url: string;
  method: string;
  headers: Headers;
  body: string | null;
}

/**
 * Server settings whose fetch answers from `handler` and records every
 * request, so tests exercise the real ServerConnection.makeRequest.
 */
export function mockSettings(
  handler: (request: IRecordedRequest) => Response | Promise<Response>
): { settings: ServerConnection.ISettings; requests: IRecordedRequest[] } {
  const requests: IRecordedRequest[] = [];
  const fetchMock = async (input: RequestInfo, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    if (request.signal?.aborted) {
      throw new DOMException('aborted', 'AbortError');
    }
    const recorded: IRecordedRequest = {
      url: request.url,
      method: request.method,
      headers: request.headers,
      body: request.body ? await request.text() : null
    };
    requests.push(recorded);
    return handler(recorded);
  };
  const settings = ServerConnection.makeSettings({
    baseUrl: 'http://localhost:8888/user/alice/',
    wsUrl: 'ws://localhost:8888/user/alice/',
    token: 'jupyter-token',
    fetch: fetchMock as typeof fetch
  });
  return { settings, requests };
}

/**
 * Resolve once `condition()` holds: checked now and after each emission of
 * `signal`, never on a timer, so a test waits exactly for the change it expects
 * (and fails with `what` when it never comes).
 */
export function whenSignalled(
  signal: ISignal<unknown, unknown>,
  condition: () => boolean,
  what: string,
  timeoutMs = 5000
): Promise<void> {
  if (condition()) {
    return Promise.resolve();
  }
  return new Promise<void>((resolve, reject) => {
    const check = () => {
      if (condition()) {
        signal.disconnect(check);
        clearTimeout(timer);
        resolve();
      }
    };
    const timer = setTimeout(() => {
      signal.disconnect(check);
      reject(new Error(`no signal brought ${what} within ${timeoutMs} ms`));
    }, timeoutMs);
    signal.connect(check);
  });
}

/** A JSON response. */
export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' }
  });
}

/**
 * The service's one error shape, `{error: {code, message, field?}}` (`Error` in
 * server-proxy/openapi.json, docs/contracts.md): every error a test double answers is built from it.
 */
export interface IErrorBody {
  error: { code: string; message: string; field?: string };
}

/** An error answer in the service's shape. */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  field?: string
): Response {
  const body: IErrorBody = {
    error: field === undefined ? { code, message } : { code, message, field }
  };
  return jsonResponse(body, status);
}

/** A job with sensible defaults. */
export function makeJob(
  jobId: string,
  state: JobState = 'QUEUED',
  overrides: Partial<IJob> = {}
): IJob {
  return {
    jobId,
    owner: 'alice',
    state,
    createTime: '2026-11-29T01:01:00.000Z',
    startTime: null,
    endTime: null,
    errorMessage: '',
    labels: {},
    trainingInput: {
      scaleTier: 'BASIC',
      notebook: { path: 'examples/demo.ipynb', parameters: {} }
    },
    trainingOutput: emptyTrainingOutput(),
    stateHistory: [{ state, time: '2026-11-29T01:01:00.000Z', reason: '' }],
    ...overrides
  };
}

/** What the service reports for a job that has not started. */
export function emptyTrainingOutput(): ITrainingOutput {
  return {
    completedCells: 0,
    totalCells: 0,
    latestMetrics: {},
    resources: { cpu: 0, memoryBytes: 0, gpus: [] }
  };
}

/** A trial with sensible defaults. */
export function makeTrial(
  trialId: string,
  state: JobState = 'SUCCEEDED',
  objective: number | null = null,
  overrides: Partial<ITrial> = {}
): ITrial {
  return {
    jobId: 'hpo',
    trialId,
    state,
    hyperparameters: { lr: Number(trialId) / 10, kind: 'a' },
    finalMetric:
      objective === null
        ? null
        : { trainingStep: 3, objectiveValue: objective },
    allMetrics:
      objective === null
        ? []
        : [{ trainingStep: 3, objectiveValue: objective }],
    isTrialStoppedEarly: false,
    createTime: '2026-11-29T01:00:00.000Z',
    startTime: '2026-11-29T01:00:00.000Z',
    endTime: '2026-11-29T01:00:10.000Z',
    errorMessage: '',
    ...overrides
  };
}

/** A registered model (without its versions). */
export function makeModel(name: string, latestVersion: number): IModel {
  return {
    name,
    owner: 'alice',
    latestVersion,
    createTime: 't',
    updateTime: 't'
  };
}

/** A model version with an iris-like signature. */
export function makeVersion(
  name: string,
  version: number,
  overrides: Partial<IModelVersion> = {}
): IModelVersion {
  return {
    name,
    version,
    framework: 'sklearn',
    frameworkVersion: '1.9.1',
    task: 'classification',
    artifactDir: `laketahoe-jobs/train_${version}/models/${name}`,
    signature: {
      inputs: [
        {
          name: 'input-0',
          datatype: 'FP64',
          shape: [-1, 2],
          features: [
            { name: 'sepal_length', kind: 'numeric' },
            { name: 'petal_width', kind: 'numeric' }
          ]
        }
      ],
      outputs: [{ name: 'predict', datatype: 'INT64', shape: [-1] }]
    },
    hasBaseline: true,
    source: {
      jobId: `train_${version}`,
      trialId: null,
      hyperparameters: { n_estimators: 10 * version },
      metrics: { accuracy: 0.9 }
    },
    createTime: '2026-11-29T01:01:00.000Z',
    ...overrides
  };
}

/** A deployment with sensible defaults. */
export function makeDeployment(
  name: string,
  state: DeploymentState = 'DEPLOYING',
  overrides: Partial<IDeployment> = {}
): IDeployment {
  return {
    name,
    owner: 'alice',
    state,
    model: { name: 'iris', version: 1 },
    replicas: 1,
    endpoint: `/api/v1/deployments/${name}/v2/models/iris/infer`,
    errorMessage: '',
    restarts: 0,
    createTime: '2026-11-29T01:01:00.000Z',
    updateTime: '2026-11-29T01:01:00.000Z',
    monitoring: {},
    stateHistory: [{ state, time: '2026-11-29T01:01:00.000Z', reason: '' }],
    ...overrides
  };
}

/** An alert with sensible defaults. */
export function makeAlert(
  id: string,
  state: 'firing' | 'resolved' = 'firing',
  overrides: Partial<IAlert> = {}
): IAlert {
  return {
    id,
    deployment: 'iris-prod',
    rule: 'drift',
    metric: 'drift',
    value: 0.31,
    threshold: 0.2,
    state,
    startTime: '2026-11-29T01:05:00.000Z',
    endTime: null,
    message: 'feature drift 0.31 > 0.2 (sepal_length)',
    ...overrides
  };
}
