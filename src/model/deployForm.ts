/**
 * The values of the "Deploy" dialog and the checks made before sending
 * them (the service checks them again).
 */

import { DEPLOYMENT_NAME } from '../wire';

/** What the deploy dialog answers. */
export interface IDeployFormValues {
  /** Deployment name. */
  name: string;
  /** Model version to serve; null for a job's model. */
  version: number | null;
}

/** Whether a deployment name is valid. */
export function isValidDeploymentName(name: string): boolean {
  return DEPLOYMENT_NAME.test(name);
}

/**
 * A valid deployment name from a model name or job id, not among `taken`:
 * lower case, `_` and other characters as `-`, a numeric suffix when needed.
 */
export function suggestDeploymentName(
  base: string,
  taken: Iterable<string> = []
): string {
  let name = base
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
    .slice(0, 56);
  if (!name) {
    name = 'model';
  }
  const used = new Set(taken);
  if (!used.has(name)) {
    return name;
  }
  for (let i = 2; ; i++) {
    const candidate = `${name}-${i}`;
    if (!used.has(candidate)) {
      return candidate;
    }
  }
}
