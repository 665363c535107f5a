import { DEPLOYMENT_NAME_PATTERN, JOB_ID_PATTERN } from './rules.gen';

/** Job ids the service accepts: the `jobId` pattern of POST /jobs in the OpenAPI document. */
export const JOB_ID = new RegExp(JOB_ID_PATTERN);

/** Deployment names the service accepts: the `name` pattern of POST /deployments. */
export const DEPLOYMENT_NAME = new RegExp(DEPLOYMENT_NAME_PATTERN);
