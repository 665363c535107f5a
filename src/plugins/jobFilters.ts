import { IStateDB } from '@jupyterlab/statedb';
import { ReadonlyJSONObject } from '@lumino/coreutils';

import { JOB_STATES } from '../wire';
import { IJobsModel, JobFilter } from '../tokens';

/** Where the jobs panel's filters are kept between reloads. */
export const JOB_FILTERS_STATE_KEY = 'laketahoe:jobs-panel:filters';

/** The saved filters, as kept in the state database. */
interface ISavedFilters {
  state: JobFilter;
  text: string;
  label: string;
}

/** The saved filters from a state value; anything unexpected falls back to none. */
export function readSavedFilters(value: unknown): ISavedFilters {
  const saved = (value ?? {}) as Partial<Record<keyof ISavedFilters, unknown>>;
  const state =
    typeof saved.state === 'string' &&
    (saved.state === 'ALL' ||
      (JOB_STATES as readonly string[]).includes(saved.state))
      ? (saved.state as JobFilter)
      : 'ALL';
  const text = typeof saved.text === 'string' ? saved.text.slice(0, 256) : '';
  const label =
    typeof saved.label === 'string' ? saved.label.slice(0, 127) : '';
  return { state, text, label };
}

/**
 * Restore the panel's state filter and search from the state database, then
 * save them whenever they change, so they survive a reload of JupyterLab.
 */
export function rememberJobFilters(model: IJobsModel, stateDB: IStateDB): void {
  let last = '';
  const save = () => {
    const current: ISavedFilters = {
      state: model.filter,
      text: model.search.text,
      label: model.search.label
    };
    const text = JSON.stringify(current);
    if (text !== last) {
      last = text;
      void stateDB.save(
        JOB_FILTERS_STATE_KEY,
        current as unknown as ReadonlyJSONObject
      );
    }
  };
  void stateDB
    .fetch(JOB_FILTERS_STATE_KEY)
    .catch(() => undefined)
    .then(value => {
      const saved = readSavedFilters(value);
      last = JSON.stringify(saved);
      // Only what the user has not changed in the meantime is restored.
      if (model.filter === 'ALL') {
        model.filter = saved.state;
      }
      if (!model.search.text && !model.search.label) {
        model.search = { text: saved.text, label: saved.label };
      }
      model.changed.connect(save);
    });
}
