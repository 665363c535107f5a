import {
  BackendName,
  ISubmitJobRequest,
  ITrainingInput,
  JSONValue,
  Priority,
  ScaleTier
} from '../wire';
import { IHpoFormState, toHyperparameterSpec } from './hpo';
import { IEnvRow, toJobEnv } from './environment';

/** What the request is built from: the submit form's fields, as typed. */
export interface ISubmitFormValues {
  readonly jobId: string;
  readonly notebookPath: string;
  readonly scaleTier: ScaleTier;
  readonly priority: Priority;
  readonly includeFolder: boolean;
  readonly imageUri: string;
  readonly cpu: string;
  readonly memoryGb: string;
  readonly gpuCount: string;
  readonly maxRunningTimeSeconds: string;
  readonly hpo: IHpoFormState;
  readonly backend: BackendName | '';
  readonly envRows: IEnvRow[];
  readonly kernelName: string;
  readonly kernelFallback: string;
  readonly labels: { [key: string]: string };
  /** Parameters whose value differs from the notebook's. */
  changedParameters(): { [name: string]: JSONValue };
}

/** The body of POST /api/v1/jobs a valid form sends. */
export function jobRequest(form: ISubmitFormValues): ISubmitJobRequest {
  const trainingInput: ITrainingInput = {
    scaleTier: form.scaleTier,
    priority: form.priority,
    notebook: {
      path: form.notebookPath,
      parameters: form.changedParameters(),
      includeFolder: form.includeFolder
    }
  };
  const masterConfig: ITrainingInput['masterConfig'] = {};
  if (form.imageUri.trim()) {
    masterConfig.imageUri = form.imageUri.trim();
  }
  if (form.scaleTier === 'CUSTOM') {
    masterConfig.resources = {
      cpu: Number(form.cpu),
      memoryGb: Number(form.memoryGb)
    };
    masterConfig.acceleratorConfig = { count: Number(form.gpuCount) };
  }
  if (Object.keys(masterConfig).length > 0) {
    trainingInput.masterConfig = masterConfig;
  }
  const limit = Number(form.maxRunningTimeSeconds.trim() || '0');
  if (limit > 0) {
    trainingInput.scheduling = { maxRunningTime: `${limit}s` };
  }
  if (form.hpo.enabled) {
    trainingInput.hyperparameters = toHyperparameterSpec(form.hpo);
  }
  if (form.backend) {
    trainingInput.backend = form.backend;
  }
  const env = toJobEnv(form.envRows);
  if (env) {
    trainingInput.env = env;
  }
  if (form.kernelName) {
    trainingInput.kernelName = form.kernelName;
  }
  if (form.kernelFallback) {
    trainingInput.kernelFallback = form.kernelFallback;
  }
  const request: ISubmitJobRequest = { jobId: form.jobId, trainingInput };
  if (Object.keys(form.labels).length > 0) {
    request.labels = { ...form.labels };
  }
  return request;
}
