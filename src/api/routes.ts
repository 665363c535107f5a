/** Where the service is mounted and the paths of its resources (ids encoded). */

/** Path under the Jupyter base URL where jupyter-server-proxy mounts the service. */
export const SERVICE_MOUNT = 'laketahoe';

/** Version prefix of every route. */
export const API_PREFIX = 'api/v1';

/** Names of the files a job can serve from its outputs. */
export type OutputName = 'output.ipynb' | 'output.html';

/** Path of one job, with its id encoded. */
export function jobPath(jobId: string): string {
  return `jobs/${encodeURIComponent(jobId)}`;
}

/** Path of one trial of a job, with both ids encoded. */
export function trialPath(jobId: string, trialId: string): string {
  return `${jobPath(jobId)}/trials/${encodeURIComponent(trialId)}`;
}

/** Path of one model, with its name encoded. */
export function modelPath(name: string): string {
  return `models/${encodeURIComponent(name)}`;
}

/** Path of one deployment, with its name encoded. */
export function deploymentPath(name: string): string {
  return `deployments/${encodeURIComponent(name)}`;
}

/** Inference path of a deployment's model (the `endpoint` of a deployment). */
export function inferPath(deployment: string, model: string): string {
  return `${deploymentPath(deployment)}/v2/models/${encodeURIComponent(model)}/infer`;
}
