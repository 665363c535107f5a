import { ISignal, Signal } from '@lumino/signaling';

import {
  BackendName,
  IBackendInfo,
  IKernelSpec,
  ICreateDefinitionRequest,
  IServiceInfo,
  ISubmitJobRequest,
  JSONValue,
  Priority,
  ScaleTier,
  JOB_ID
} from '../wire';
import {
  defaultHpoState,
  HPO_FIELD,
  HPO_FIELDS,
  IHpoFormState,
  IHpoParamRow,
  validateHpo
} from './hpo';
import {
  emptyEnvRow,
  ENV_FIELD,
  IEnvRow,
  KERNEL_FALLBACK_FIELD,
  KERNEL_FIELD,
  validateEnvRows
} from './environment';
import {
  checkParameterValue,
  formatParameterValue,
  INotebookParameter,
  jsonEqual,
  ParameterType
} from './parameters';
import { ScheduleOptions } from './schedule';
import { jobRequest } from './submitRequest';
import {
  DEFAULT_SUBMIT_DEFAULTS,
  defaultJobId,
  DISTRIBUTED_TIERS,
  FIELD,
  FormErrors,
  IMAGE_FIELD,
  IParameterRow,
  ISubmitDefaults
} from './submitFields';

export { KERNEL_FALLBACK_FIELD, KERNEL_FIELD };

export * from './submitFields';

/**
 * State of the submit form: holds every field, validates it, and builds the
 * request body. The React form only renders it.
 */
export class SubmitFormModel {
  /**
   * Create a form for a notebook.
   * @param notebookPath path relative to the Jupyter root
   * @param parameters parameters read from the notebook
   * @param defaults initial values from the settings
   */
  constructor(
    readonly notebookPath: string,
    parameters: INotebookParameter[],
    defaults: ISubmitDefaults = DEFAULT_SUBMIT_DEFAULTS,
    now = new Date()
  ) {
    this.jobId = defaultJobId(notebookPath, now);
    this.scaleTier = defaults.scaleTier;
    this.priority = defaults.priority;
    this.maxRunningTimeSeconds = String(defaults.maxRunningTimeSeconds);
    this.imageUri = defaults.imageUri;
    this.includeFolder = defaults.includeFolder;
    this.parameters = parameters.map(parameter => ({
      parameter,
      text: formatParameterValue(parameter.type, parameter.value)
    }));
    this.hpo = defaultHpoState(parameters);
  }

  /** Emitted on any change, including service info and server errors. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The job id. */
  jobId: string;
  /** Scale tier. */
  scaleTier: ScaleTier;
  /** CUSTOM: CPUs, as typed. */
  cpu = '1';
  /** CUSTOM: memory in GB, as typed. */
  memoryGb = '4';
  /** CUSTOM: GPU count, as typed. */
  gpuCount = '0';
  /** Container image. */
  imageUri: string;
  /** Priority. */
  priority: Priority;
  /** Run-time limit in seconds, as typed; empty or 0 means none. */
  maxRunningTimeSeconds: string;
  /** Whether the notebook's folder is snapshotted with it. */
  includeFolder: boolean;
  /** Parameter rows in cell order. */
  parameters: IParameterRow[];
  /** Lines of the parameters cell that are not editable. */
  skippedParameterLines: string[] = [];
  /** The hyperparameter tuning section. */
  hpo: IHpoFormState;
  /** Labels sent with the job (kept from a job being resubmitted). */
  labels: { [key: string]: string } = {};
  /** Variables of the job: values and secret references (never secret values). */
  envRows: IEnvRow[] = [];
  /** Kernelspec to run on; empty for the notebook's own. */
  kernelName = '';
  /** Kernelspec to run on when the chosen one is missing; empty for none (an error then). */
  kernelFallback = '';

  /** Kernelspecs installed where local jobs run, once known. */
  get kernels(): IKernelSpec[] | null {
    return this._kernels;
  }
  set kernels(value: IKernelSpec[] | null) {
    this._kernels = value;
    this._changed.emit();
  }

  /** Add an empty variable row. */
  addEnvRow(): void {
    this.envRows = [...this.envRows, emptyEnvRow()];
    this._changed.emit();
  }

  /** Change one variable row; row fields in the service's errors shift with rows, so they are cleared. */
  setEnvRow(index: number, patch: Partial<IEnvRow>): void {
    this.envRows = this.envRows.map((row, i) =>
      i === index ? { ...row, ...patch } : row
    );
    this._clearServerErrors(ENV_FIELD);
    this._changed.emit();
  }

  /** Remove one variable row. */
  removeEnvRow(index: number): void {
    this.envRows = this.envRows.filter((_, i) => i !== index);
    this._clearServerErrors(ENV_FIELD);
    this._changed.emit();
  }

  /** Set a field of the HPO section; clears the service's error on it. */
  updateHpo<K extends keyof IHpoFormState>(
    key: K,
    value: IHpoFormState[K]
  ): void {
    this.hpo = { ...this.hpo, [key]: value };
    const field = (HPO_FIELDS as { [k: string]: string })[key];
    // Toggling the section or the algorithm can move every error; switching
    // early stopping or its rule changes which of its fields are sent.
    this._clearServerErrors(
      key === 'enabled' || key === 'algorithm' ? HPO_FIELD : field
    );
    if (key === 'earlyStopping' || key === 'earlyStoppingKind') {
      this._clearServerErrors(`${HPO_FIELD}.earlyStopping`);
    }
    this._changed.emit();
  }

  /** Change one row of the HPO parameter table. */
  setHpoParam(index: number, patch: Partial<IHpoParamRow>): void {
    if (!this.hpo.params[index]) {
      return;
    }
    this.hpo = {
      ...this.hpo,
      params: this.hpo.params.map((row, i) =>
        i === index ? { ...row, ...patch } : row
      )
    };
    // Row indices in field paths shift when rows are toggled.
    this._clearServerErrors(HPO_FIELDS.params);
    this._changed.emit();
  }

  /**
   * Put values (e.g. a trial's hyperparameters) into the parameter rows of
   * the same names; other rows keep the notebook's values.
   */
  applyValues(values: { [name: string]: JSONValue }): void {
    this.parameters = this.parameters.map(row =>
      row.parameter.name in values
        ? {
            ...row,
            text: valueText(row.parameter.type, values[row.parameter.name])
          }
        : row
    );
    this._changed.emit();
  }

  /** What the service said about itself, once known. */
  get info(): IServiceInfo | null {
    return this._info;
  }
  set info(value: IServiceInfo | null) {
    this._info = value;
    this._changed.emit();
  }

  /** Errors the service reported for the last attempt, by field. */
  get serverErrors(): FormErrors {
    return this._serverErrors;
  }
  set serverErrors(value: FormErrors) {
    this._serverErrors = value;
    this._changed.emit();
  }

  /** The backend chosen in the form; empty for the service's default. */
  backend: BackendName | '' = '';

  /** The backends the service offers, the default first. */
  get backendChoices(): IBackendInfo[] {
    return this._info?.backends ?? [];
  }

  /** Whether the form offers a choice of backend (more than one is configured). */
  get showBackendChooser(): boolean {
    return this.backendChoices.length > 1;
  }

  /** The backend the job will run on, once the service info is known. */
  get targetBackend(): IBackendInfo | null {
    const name = this.backend || this._info?.backend;
    return this.backendChoices.find(b => b.name === name) ?? null;
  }

  /** Whether a tier needs distributed support the chosen backend lacks. */
  isTierUnavailable(tier: ScaleTier): boolean {
    if (!DISTRIBUTED_TIERS.has(tier) || this._info === null) {
      return false;
    }
    const target = this.targetBackend;
    return target
      ? target.name !== 'kubernetes'
      : !this._info.supportsDistributed;
  }

  /** Set a field and notify; clears a server error on that field. */
  update<K extends keyof SubmitFormModel>(
    key: K,
    value: SubmitFormModel[K],
    field?: string
  ): void {
    (this as any)[key] = value;
    if (field && field in this._serverErrors) {
      const errors = { ...this._serverErrors };
      delete errors[field];
      this._serverErrors = errors;
    }
    this._changed.emit();
  }

  /** Set the text of one parameter row. */
  setParameterText(index: number, text: string): void {
    const row = this.parameters[index];
    if (!row) {
      return;
    }
    this.parameters = this.parameters.map((r, i) =>
      i === index ? { ...r, text } : r
    );
    const field = `${FIELD.parameters}.${row.parameter.name}`;
    if (field in this._serverErrors) {
      const errors = { ...this._serverErrors };
      delete errors[field];
      this._serverErrors = errors;
    }
    this._changed.emit();
  }

  /** The check of one parameter row. */
  checkParameter(index: number): ReturnType<typeof checkParameterValue> {
    const row = this.parameters[index];
    return checkParameterValue(row.parameter.type, row.text);
  }

  /** "Run on a schedule": when enabled, accepting the form saves a definition. */
  get schedule(): ScheduleOptions | undefined {
    return this._schedule;
  }
  set schedule(options: ScheduleOptions | undefined) {
    this._schedule?.changed.disconnect(this._emitChanged, this);
    this._schedule = options;
    options?.changed.connect(this._emitChanged, this);
    this._changed.emit();
  }

  /** The definition the form saves when its schedule is enabled. */
  toDefinitionRequest(): ICreateDefinitionRequest {
    const { trainingInput } = this.toRequest();
    const schedule = this._schedule!;
    return {
      definitionId: schedule.definitionId,
      trainingInput,
      schedule: { cron: schedule.cron.trim(), timeZone: schedule.timeZone },
      missedRuns: schedule.missedRuns
    };
  }

  /** Client-side errors by field, merged with the service's. */
  validate(): FormErrors {
    return { ...this._serverErrors, ...this.clientErrors() };
  }

  /** Errors found without asking the service, by field. */
  clientErrors(): FormErrors {
    const errors: FormErrors = { ...this._schedule?.errors() };
    if (!JOB_ID.test(this.jobId) && !this._schedule?.enabled) {
      errors[FIELD.jobId] =
        'Use 1 to 128 letters, digits or underscores, starting with a letter.';
    }
    if (this.isTierUnavailable(this.scaleTier)) {
      errors[FIELD.scaleTier] =
        'This backend does not support distributed training.';
    }
    if (this.scaleTier === 'CUSTOM') {
      if (!isPositiveNumber(this.cpu)) {
        errors[FIELD.cpu] = 'Enter a number of CPUs greater than 0.';
      }
      if (!isPositiveNumber(this.memoryGb)) {
        errors[FIELD.memoryGb] = 'Enter the memory in GB, greater than 0.';
      }
      if (!/^\d+$/.test(this.gpuCount.trim())) {
        errors[FIELD.gpuCount] = 'Enter a whole number of GPUs (0 or more).';
      }
    }
    const limit = this.maxRunningTimeSeconds.trim();
    if (limit !== '' && !/^\d+$/.test(limit)) {
      errors[FIELD.maxRunningTime] =
        'Enter a whole number of seconds, or leave empty for no limit.';
    }
    const searched = this.searchedNames();
    this.parameters.forEach((row, index) => {
      const check = this.checkParameter(index);
      if (!check.ok && !searched.has(row.parameter.name)) {
        errors[`${FIELD.parameters}.${row.parameter.name}`] = check.error;
      }
    });
    Object.assign(errors, validateHpo(this.hpo), validateEnvRows(this.envRows));
    const images = this.targetBackend?.images ?? [];
    const image = this.imageUri.trim();
    if (
      image &&
      images.length > 0 &&
      !this.targetBackend?.allowAnyImage &&
      !images.some(i => i.name === image || i.image === image)
    ) {
      errors[IMAGE_FIELD] = 'Choose one of the offered images.';
    }
    return errors;
  }

  /** Names of the parameters an HPO job searches (none for a plain job). */
  searchedNames(): Set<string> {
    return new Set(
      this.hpo.enabled
        ? this.hpo.params.filter(row => row.enabled).map(row => row.name)
        : []
    );
  }

  /**
   * Whether the form can be submitted. The service's errors do not block a
   * retry: some name fields the form cannot edit (the notebook path).
   */
  get isValid(): boolean {
    return Object.keys(this.clientErrors()).length === 0;
  }

  /**
   * Parameters whose value differs from the notebook's; papermill injects
   * only these, so unchanged defaults keep their exact notebook literal.
   */
  changedParameters(): { [name: string]: JSONValue } {
    const result: { [name: string]: JSONValue } = {};
    const searched = this.searchedNames();
    this.parameters.forEach((row, index) => {
      const check = this.checkParameter(index);
      if (searched.has(row.parameter.name)) {
        return;
      }
      if (check.ok && !jsonEqual(check.value, row.parameter.value)) {
        result[row.parameter.name] = check.value;
      }
    });
    return result;
  }

  /** The body of POST /api/v1/jobs; call only when {@link isValid}. */
  toRequest(): ISubmitJobRequest {
    return jobRequest(this);
  }

  private _clearServerErrors(prefix: string): void {
    const fields = Object.keys(this._serverErrors).filter(
      f =>
        f === prefix || f.startsWith(`${prefix}.`) || f.startsWith(`${prefix}[`)
    );
    if (fields.length > 0) {
      const errors = { ...this._serverErrors };
      fields.forEach(f => delete errors[f]);
      this._serverErrors = errors;
    }
  }

  private _info: IServiceInfo | null = null;
  private _kernels: IKernelSpec[] | null = null;
  private _emitChanged(): void {
    this._changed.emit();
  }

  private _schedule: ScheduleOptions | undefined;
  private _serverErrors: FormErrors = {};
  private _changed = new Signal<this, void>(this);
}

/**
 * Edit text of a value for a parameter row. A categorical trial value is a
 * string even for a boolean or number parameter ("True", "3"): it is then
 * the text as typed.
 */
function valueText(type: ParameterType, value: JSONValue): string {
  return typeof value === 'string' && type !== 'str'
    ? value
    : formatParameterValue(type, value);
}

/** Whether text is a number greater than zero. */
function isPositiveNumber(text: string): boolean {
  const value = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(value) && value > 0;
}
