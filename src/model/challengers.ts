import { ISignal, Signal } from '@lumino/signaling';

import type { LakeTahoeClient } from '../api';
import { isAbortError } from '../api';
import {
  HpoGoal,
  IChallenger,
  IDeployment,
  ITrial,
  IVersionComparison,
  IVersionSummary
} from '../wire';
import { compareIds, objectiveOf } from './trialTable';

/**
 * Challengers a deployment serves at once beside the champion
 * (docs/contracts.md); "Deploy as challengers" fills the places left and
 * names the candidates it had no place for in its note.
 */
export const MAX_CHALLENGERS = 3;

/** Candidates "Deploy as challengers" considers. */
export const CHALLENGER_CANDIDATES = 3;

/** Canary share a new challenger starts with, in percent. */
export const DEFAULT_CANARY_PERCENT = 10;

/**
 * The best `n` SUCCEEDED trials with an objective, best first (lower trial id
 * first on a tie), as the trials view ranks them.
 */
export function bestTrials(
  trials: Iterable<ITrial>,
  goal: HpoGoal = 'MAXIMIZE',
  n: number = CHALLENGER_CANDIDATES
): ITrial[] {
  const ranked = [...trials].filter(
    t => t.state === 'SUCCEEDED' && objectiveOf(t) !== null
  );
  ranked.sort((a, b) => {
    const x = objectiveOf(a)!;
    const y = objectiveOf(b)!;
    if (x !== y) {
      return goal === 'MINIMIZE' ? x - y : y - x;
    }
    return compareIds(a.trialId, b.trialId);
  });
  return ranked.slice(0, n);
}

/** What "Deploy as challengers" did. */
export interface IChallengersResult {
  /** The deployment as the service answered. */
  deployment: IDeployment;
  /** Trials whose models now serve as challengers. */
  deployed: string[];
  /** Candidates whose models serve in the deployment already. */
  serving: string[];
  /** Candidates not deployed because of {@link MAX_CHALLENGERS}. */
  skipped: string[];
}

/**
 * Registers the best trials' saved models (an already registered one is
 * answered again) and serves as many as there are places left of
 * {@link MAX_CHALLENGERS} as canary challengers of `deployment`, in one
 * change of its challengers: they start together, those already there keep
 * their modes and weights. A trial whose model serves already (the
 * champion's, or a challenger's) is passed over. Refuses a deployment with no
 * place left before registering anything.
 */
export async function deployChallengers(
  client: Pick<LakeTahoeClient, 'registerJobModel' | 'updateDeployment'>,
  deployment: IDeployment,
  jobId: string,
  trialIds: string[],
  percent: number = DEFAULT_CANARY_PERCENT
): Promise<IChallengersResult> {
  const existing = deployment.challengers ?? [];
  const places = MAX_CHALLENGERS - existing.length;
  if (places <= 0) {
    throw new Error(
      `${deployment.name} serves ${existing.length} challengers already (at most ${MAX_CHALLENGERS}): promote or remove one first`
    );
  }
  if (trialIds.length === 0) {
    throw new Error(`job ${jobId} has no succeeded trial with an objective`);
  }
  const kept = existing.map(c => ({
    model: c.model,
    mode: c.mode,
    weight: c.weight
  }));
  // Versions served already (the champion's trial is often among the best).
  const served = new Set([
    deployment.model.version,
    ...existing.map(c => c.model.version)
  ]);
  const added = [];
  const deployed: string[] = [];
  const serving: string[] = [];
  let next = 0;
  for (; next < trialIds.length && added.length < places; next++) {
    const version = await client.registerJobModel(jobId, trialIds[next]);
    if (served.has(version.version)) {
      serving.push(trialIds[next]);
      continue;
    }
    served.add(version.version);
    deployed.push(trialIds[next]);
    added.push({
      model: { name: version.name, version: version.version },
      mode: 'canary' as const,
      weight: percent
    });
  }
  if (added.length === 0) {
    throw new Error(
      `the models of trials ${serving.join(', ')} serve in ${deployment.name} already`
    );
  }
  const answer = await client.updateDeployment(deployment.name, {
    challengers: [...kept, ...added]
  });
  return {
    deployment: answer,
    deployed,
    serving,
    skipped: trialIds.slice(next)
  };
}

/** One number people compare across versions, for the bar plots. */
export interface IComparisonSeries {
  /** Label of the figure. */
  label: string;
  /** Unit shown after values. */
  unit: string;
  /** One bar per version, champion first. */
  bars: {
    label: string;
    role: IVersionSummary['role'];
    value: number | null;
  }[];
}

/** The figures the comparison plots show, one series per figure. */
export function comparisonSeries(c: IVersionComparison): IComparisonSeries[] {
  const bars = (value: (v: IVersionSummary) => number | null) =>
    c.versions.map(v => ({
      label: `v${v.version}`,
      role: v.role,
      value: value(v)
    }));
  return [
    { label: 'p50 latency', unit: 'ms', bars: bars(v => v.latencyMs.p50) },
    { label: 'p99 latency', unit: 'ms', bars: bars(v => v.latencyMs.p99) },
    { label: 'error rate', unit: '%', bars: bars(v => v.errorRate * 100) },
    { label: 'requests', unit: '', bars: bars(v => v.requests) },
    {
      label: 'shadow agreement',
      unit: '%',
      bars: bars(v =>
        v.agreement?.rate === null || v.agreement?.rate === undefined
          ? null
          : v.agreement.rate * 100
      )
    }
  ];
}

/**
 * The champion/challenger comparison of one deployment: loads it on
 * request and promotes. The view reloads it with the monitoring tab.
 */
export class ComparisonModel {
  /** Create a model for deployment `name`. */
  constructor(
    readonly name: string,
    private readonly _client: Pick<
      LakeTahoeClient,
      'getVersionComparison' | 'promoteDeployment' | 'updateDeployment'
    >
  ) {}

  /** Emitted when the comparison or the promotion state changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The last comparison loaded. */
  get comparison(): IVersionComparison | null {
    return this._comparison;
  }

  /**
   * The error of the last promotion, else of the last load: the reload that
   * follows a failed promotion must not hide why it failed.
   */
  get error(): Error | null {
    return this._promoteError ?? this._error;
  }

  /** Whether a promotion or a mode switch is under way. */
  get promoting(): boolean {
    return this._promoting;
  }

  /** Reload the comparison. */
  async refresh(): Promise<void> {
    this._abort?.abort();
    const controller = new AbortController();
    this._abort = controller;
    try {
      this._comparison = await this._client.getVersionComparison(
        this.name,
        controller.signal
      );
      this._error = null;
    } catch (error) {
      if (isAbortError(error) || controller.signal.aborted) {
        return;
      }
      this._error = error as Error;
    }
    this._changed.emit();
  }

  /**
   * Make challenger `version` the champion (the others stay); resolves to
   * the deployment, or null on error.
   */
  async promote(version: number): Promise<IDeployment | null> {
    return this._changeDeployment(() =>
      this._client.promoteDeployment(this.name, version)
    );
  }

  /**
   * Serve the challenger as a shadow (every request mirrored, never
   * answered) or as a canary of {@link DEFAULT_CANARY_PERCENT}%; the service
   * changes the mode in place, without a restart. Resolves to the deployment,
   * or null on error.
   */
  async switchMode(
    challenger: IChallenger,
    mode: IChallenger['mode']
  ): Promise<IDeployment | null> {
    return this._changeDeployment(() =>
      this._client.updateDeployment(this.name, {
        challenger: {
          model: challenger.model,
          mode,
          ...(mode === 'canary' ? { weight: DEFAULT_CANARY_PERCENT } : {})
        }
      })
    );
  }

  /**
   * One change of the deployment at a time (promote or mode switch): busy
   * while it runs, its error kept for the view, the comparison read again
   * after it. Resolves to the deployment, or null when busy or on error.
   */
  private async _changeDeployment(
    change: () => Promise<IDeployment>
  ): Promise<IDeployment | null> {
    if (this._promoting) {
      return null;
    }
    this._promoting = true;
    this._changed.emit();
    try {
      const deployment = await change();
      this._promoteError = null;
      return deployment;
    } catch (error) {
      this._promoteError = error as Error;
      return null;
    } finally {
      this._promoting = false;
      this._changed.emit();
      void this.refresh();
    }
  }

  /** Stop loading. */
  dispose(): void {
    this._abort?.abort();
    Signal.clearData(this);
  }

  private _comparison: IVersionComparison | null = null;
  private _error: Error | null = null;
  private _promoteError: Error | null = null;
  private _promoting = false;
  private _abort: AbortController | null = null;
  private _changed = new Signal<this, void>(this);
}
