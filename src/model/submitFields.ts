import { Priority, ScaleTier } from '../wire';
import { INotebookParameter } from './parameters';

/*
 * What the submit form is made of besides its state: the field paths its errors are keyed by (the
 * service's own), the tiers it offers, its defaults and the default job id.
 */

/** `trainingInput.masterConfig.imageUri`. */
export const IMAGE_FIELD = 'trainingInput.masterConfig.imageUri';

/** Scale tiers offered in the form. */
export const FORM_SCALE_TIERS: readonly ScaleTier[] = [
  'BASIC',
  'BASIC_GPU',
  'STANDARD_1',
  'CUSTOM'
];

/** Tiers that need a backend with distributed training. */
export const DISTRIBUTED_TIERS: ReadonlySet<ScaleTier> = new Set<ScaleTier>([
  'STANDARD_1',
  'PREMIUM_1'
]);

/** Defaults of the form, from the user's settings. */
export interface ISubmitDefaults {
  /** Initial scale tier. */
  scaleTier: ScaleTier;
  /** Initial priority. */
  priority: Priority;
  /** Initial run-time limit in seconds; 0 means none. */
  maxRunningTimeSeconds: number;
  /** Initial container image. */
  imageUri: string;
  /** Whether "include the notebook's folder" starts checked. */
  includeFolder: boolean;
}

/** Built-in defaults, used when settings are unavailable. */
export const DEFAULT_SUBMIT_DEFAULTS: ISubmitDefaults = {
  scaleTier: 'BASIC',
  priority: 'middle',
  maxRunningTimeSeconds: 3600,
  imageUri: '',
  includeFolder: false
};

/** One editable parameter row. */
export interface IParameterRow {
  /** The parameter as read from the notebook. */
  parameter: INotebookParameter;
  /** The text in the edit field. */
  text: string;
}

/** Field name (dotted, as the service reports them) to error message. */
export type FormErrors = { [field: string]: string };

/** Field names used for form errors, matching the service's `field` paths. */
export const FIELD = {
  jobId: 'jobId',
  scaleTier: 'trainingInput.scaleTier',
  cpu: 'trainingInput.masterConfig.resources.cpu',
  memoryGb: 'trainingInput.masterConfig.resources.memoryGb',
  gpuCount: 'trainingInput.masterConfig.acceleratorConfig.count',
  maxRunningTime: 'trainingInput.scheduling.maxRunningTime',
  backend: 'trainingInput.backend',
  parameters: 'trainingInput.notebook.parameters'
} as const;

/**
 * A job id derived from a notebook name and a time, always valid:
 * `my-model v2.ipynb` at 2026-11-29 01:01:05 gives `my_model_v2_20261129_010105`.
 */
export function defaultJobId(notebookPath: string, now = new Date()): string {
  const base = (notebookPath.split('/').pop() ?? '')
    .replace(/\.ipynb$/i, '')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '');
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp =
    `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}` +
    `_${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  let name = /^[A-Za-z]/.test(base) ? base : `job_${base}`.replace(/_$/, '');
  // Leave room for the timestamp within the 128-character limit.
  name = name.slice(0, 128 - stamp.length - 1);
  return `${name}_${stamp}`;
}
