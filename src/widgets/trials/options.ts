/** What the parts of the trials browser are given. */
import { TranslationBundle } from '@jupyterlab/translation';

import { TrialsModel } from '../../model/trials';
import { ITrial } from '../../wire';

/** Actions the trials view delegates to its plugin. */
export interface ITrialsActions {
  /** Open a notebook path (relative to the Jupyter root). */
  openNotebook(path: string): void;
  /** Open the submit form pre-filled with a trial's parameters. */
  newJobFromTrial(trial: ITrial): void;
  /** Download every trial as CSV. */
  exportCsv(model: TrialsModel): void;
  /** Stop the HPO job: no new trials. */
  stop(jobId: string): void;
  /** Cancel the HPO job (after confirmation). */
  cancel(jobId: string): void;
  /** Open the job's detail view. */
  openJob(jobId: string): void;
  /** Deploy the model a trial saved, when serving is available. */
  deployTrial?(jobId: string, trialId: string): void;
  /**
   * Serve the best trials' models beside a deployment's champion
   * (best first), when serving is available.
   */
  deployChallengers?(jobId: string, trialIds: string[]): void;
}

/** Options of a trials view. */
export interface ITrialsViewOptions {
  /** The trials model. */
  model: TrialsModel;
  /** What the buttons do. */
  actions: ITrialsActions;
  /** Translations of the laketahoe domain. */
  trans: TranslationBundle;
}
