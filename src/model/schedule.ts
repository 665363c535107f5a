import { ISignal, Signal } from '@lumino/signaling';

import { MissedRunPolicy } from '../wire';

/** Fetches the next run times of a schedule, or throws the service's 400. */
export type SchedulePreviewer = (
  cron: string,
  timeZone: string
) => Promise<string[]>;

/** Request fields the schedule part of the submit form edits. */
export const SCHEDULE_FIELD = {
  definitionId: 'definitionId',
  cron: 'schedule.cron',
  timeZone: 'schedule.timeZone'
} as const;

/** A definition id as the service accepts it. */
const DEFINITION_ID = /^[A-Za-z][A-Za-z0-9_]{0,47}$/;

/** A definition id from a notebook path: its name in the id alphabet. */
export function definitionIdFor(notebookPath: string): string {
  const name = (notebookPath.split('/').pop() ?? 'notebook')
    .replace(/\.ipynb$/, '')
    .replace(/[^A-Za-z0-9_]/g, '_');
  return (/^[A-Za-z]/.test(name) ? name : `nb_${name}`).slice(0, 48);
}

/** The browser's own IANA time zone, the form's default. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/**
 * "Run on a schedule" in the submit form: whether the notebook is saved as a
 * definition instead of submitted once, with its cron schedule, time zone,
 * missed-run policy, and a preview of the next run times that follows the
 * fields as the user types (debounced, the last answer wins).
 */
export class ScheduleOptions {
  /** Create the options; `previewer` asks the service for next run times. */
  constructor(
    private readonly previewer: SchedulePreviewer,
    private readonly debounceMs = 300
  ) {}

  /** Emitted on every change, the preview's included. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  enabled = false;
  definitionId = '';
  cron = '0 6 * * *';
  timeZone = localTimeZone();
  missedRuns: MissedRunPolicy = 'RUN_ONCE';
  /** The next run times of the current fields (ISO, UTC). */
  preview: string[] = [];
  /** Why there is no preview: the service's message on cron or timeZone. */
  previewError: { field: string; message: string } | undefined;

  /** Change one field; schedule fields refresh the preview. */
  update<
    K extends 'enabled' | 'definitionId' | 'cron' | 'timeZone' | 'missedRuns'
  >(key: K, value: ScheduleOptions[K]): void {
    (this as ScheduleOptions)[key] = value;
    this._changed.emit();
    if (
      this.enabled &&
      (key === 'cron' || key === 'timeZone' || key === 'enabled')
    ) {
      this.schedulePreview();
    }
  }

  /** Local errors by field (the service checks the cron itself). */
  errors(): { [field: string]: string } {
    if (!this.enabled) {
      return {};
    }
    const errors: { [field: string]: string } = {};
    if (!DEFINITION_ID.test(this.definitionId)) {
      errors[SCHEDULE_FIELD.definitionId] =
        'A letter, then letters, digits or _ (at most 48).';
    }
    if (this.cron.trim().split(/\s+/).length !== 5) {
      errors[SCHEDULE_FIELD.cron] =
        'Five fields: minute hour day-of-month month day-of-week.';
    }
    if (this.previewError) {
      errors[this.previewError.field] = this.previewError.message;
    }
    return errors;
  }

  /** Ask for the preview after the user stops typing. */
  schedulePreview(): void {
    clearTimeout(this._timer);
    this._timer = setTimeout(() => void this.refreshPreview(), this.debounceMs);
  }

  /** Fetch the preview now. */
  async refreshPreview(): Promise<void> {
    const asked = ++this._asked;
    try {
      const times = await this.previewer(this.cron, this.timeZone);
      if (asked === this._asked) {
        this.preview = times;
        this.previewError = undefined;
      }
    } catch (error) {
      if (asked === this._asked) {
        const e = error as { field?: string; message: string };
        this.preview = [];
        this.previewError = {
          field:
            e.field === 'timeZone'
              ? SCHEDULE_FIELD.timeZone
              : SCHEDULE_FIELD.cron,
          message: e.message
        };
      }
    }
    this._changed.emit();
  }

  private _timer: ReturnType<typeof setTimeout> | undefined;
  private _asked = 0;
  private _changed = new Signal<this, void>(this);
}
