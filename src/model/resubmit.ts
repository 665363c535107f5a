import { JSONValue } from '@lumino/coreutils';

import { IJob } from '../wire';
import { SubmitFormModel } from './submit';

/** Seconds of a `maxRunningTime` such as "3600s", or undefined. */
function seconds(duration: string | undefined): number | undefined {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(duration ?? '');
  return match ? Number(match[1]) : undefined;
}

/**
 * Fill a submit form from a job being resubmitted: its resources, image,
 * priority, time limit, backend, labels and notebook parameters. The form
 * keeps its fresh job id, so the copy never collides with the original.
 */
export function prefillFromJob(form: SubmitFormModel, job: IJob): void {
  const input = job.trainingInput ?? {};
  if (input.scaleTier) {
    form.scaleTier = input.scaleTier;
  }
  if (input.priority) {
    form.priority = input.priority;
  }
  const master = input.masterConfig ?? {};
  if (master.imageUri) {
    form.imageUri = master.imageUri;
  }
  if (master.resources?.cpu !== undefined) {
    form.cpu = String(master.resources.cpu);
  }
  if (master.resources?.memoryGb !== undefined) {
    form.memoryGb = String(master.resources.memoryGb);
  }
  if (master.acceleratorConfig?.count !== undefined) {
    form.gpuCount = String(master.acceleratorConfig.count);
  }
  const limit = seconds(input.scheduling?.maxRunningTime);
  if (limit !== undefined) {
    form.maxRunningTimeSeconds = String(limit);
  }
  if (input.notebook?.includeFolder !== undefined) {
    form.includeFolder = input.notebook.includeFolder;
  }
  if (input.backend) {
    form.backend = input.backend;
  }
  form.labels = { ...(job.labels ?? {}) };
  form.applyValues(
    (input.notebook?.parameters ?? {}) as { [name: string]: JSONValue }
  );
}
