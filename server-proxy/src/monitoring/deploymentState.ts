/**
 * One watched deployment's state in memory: its signature and baseline read from the model folder, its
 * drift windows, request buckets and rows queued for the store.
 */
import fs from 'node:fs';
import path from 'node:path';
import { RowAdmission } from './admission.js';
import type { Alert } from './alerts.js';
import { prepareBaseline, type DriftReport, type PreparedFeature } from './drift.js';
import type { DeploymentLabels } from './metrics.js';
import type { MonitoredDeployment } from './recorder.js';
import type { RequestBucket } from './requests.js';
import type { LiveRowsRecord } from './store.js';
import type { SignatureInput, SignatureOutput } from './tensors.js';
import { RowWindow, type DecodedRows } from './window.js';

/** Where the monitor logs what it cannot do. */
export interface MonitorLog {
  warn(obj: object, msg: string): void;
}

/** Row caps of a deployment's windows (see {@link MonitorOptions}). */
export interface WindowCaps {
  maxRows: number;
  maxCells: number;
  minDriftRows: number;
}

/** A deployment being watched: what the monitor holds in memory for it. */
export interface WatchedDeployment {
  d: MonitoredDeployment;
  labels: DeploymentLabels;
  inputSignature: SignatureInput[];
  outputSignature: SignatureOutput[];
  baseline: { features: PreparedFeature[]; prediction: PreparedFeature | null } | null;
  inputs: RowWindow | null;
  predictions: RowWindow | null;
  /** Which requests' rows enter the two windows (the same requests for both). */
  admission: RowAdmission;
  /** Recent request buckets by start time (this process's requests and those read back from the store). */
  buckets: Map<number, RequestBucket>;
  /** This process's requests since the last flush, by bucket start: added to the stored buckets. */
  unflushed: Map<number, RequestBucket>;
  /** Rows added to the windows since the last flush, to be persisted (drift survives a restart). */
  pendingRows: PendingRows;
  /** Open alerts by rule name. */
  firing: Map<string, Alert>;
  /** Last drift computed, and the window revisions it was computed from. */
  drift: { revision: string; report: DriftReport | null };
  /** Settles once history (buckets, firing alerts) has been read back from the store. */
  restored: Promise<void>;
  /** Serialises evaluations and flushes of this deployment. */
  chain: Promise<unknown>;
}

/** Reads a JSON file of the model folder; undefined when it is absent or unreadable. */
function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Signature and baseline of the saved model folder; a missing or broken baseline means no drift. */
export function loadModel(d: MonitoredDeployment, log?: MonitorLog): Pick<WatchedDeployment, 'inputSignature' | 'outputSignature' | 'baseline'> {
  const manifest = readJson(path.join(d.artifactDir, 'laketahoe-model.json')) as
    | { signature?: { inputs?: SignatureInput[]; outputs?: SignatureOutput[] } }
    | undefined;
  let baseline: WatchedDeployment['baseline'] = null;
  const baselineDoc = readJson(path.join(d.artifactDir, 'baseline.json'));
  if (baselineDoc !== undefined) {
    try {
      baseline = prepareBaseline(baselineDoc);
    } catch (err) {
      log?.warn({ err, deployment: d.deployment }, 'baseline.json is not usable; no drift for this deployment');
    }
  }
  const inputs = manifest?.signature?.inputs;
  const outputs = manifest?.signature?.outputs;
  return {
    // Without a manifest, a 2-D input still maps onto the baseline's features in order.
    inputSignature: Array.isArray(inputs)
      ? inputs
      : [{ name: 'input', features: baseline?.features.map(f => ({ name: f.name, kind: f.kind })) ?? [] }],
    outputSignature: Array.isArray(outputs) ? outputs : [],
    baseline
  };
}

/** Empty input and prediction windows with one column per baseline feature. */
export function emptyWindows(baseline: WatchedDeployment['baseline'], caps: WindowCaps): Pick<WatchedDeployment, 'inputs' | 'predictions'> {
  const prediction = baseline?.prediction;
  const rowsFor = (columns: number) => Math.max(caps.minDriftRows, Math.min(caps.maxRows, Math.floor(caps.maxCells / Math.max(1, columns))));
  return {
    inputs: baseline ? new RowWindow(baseline.features.map(f => ({ name: f.name, kind: f.kind })), rowsFor(baseline.features.length)) : null,
    predictions: prediction ? new RowWindow([{ name: prediction.name, kind: prediction.kind }], rowsFor(1)) : null
  };
}

/** The admission of rows into `windows` for a deployment watched over `windowSeconds`. */
export function rowAdmission(windows: Pick<WatchedDeployment, 'inputs' | 'predictions'>, windowSeconds: number, caps: WindowCaps): RowAdmission {
  const capacity = windows.inputs?.capacity ?? windows.predictions?.capacity ?? caps.maxRows;
  return new RowAdmission(capacity, windowSeconds, caps.minDriftRows);
}

/** Rows of the windows not yet written to the store, kept as decoded until a flush converts them. */
export class PendingRows {
  private batches: { time: number; kind: LiveRowsRecord['kind']; decoded: DecodedRows }[] = [];
  /** Rows in `batches`, kept as a running count so queueing one request costs the same however many wait. */
  private queued = 0;

  get length(): number {
    return this.batches.length;
  }

  /** Queues rows just added to a window; never more than `limit` rows, dropping the oldest batches. */
  push(kind: LiveRowsRecord['kind'], time: number, decoded: DecodedRows, limit: number): void {
    this.batches.push({ time, kind, decoded });
    this.queued += decoded.rows;
    while (this.queued > limit && this.batches.length > 1) {
      this.queued -= this.batches.shift()!.decoded.rows;
    }
  }

  /** Empties the queue, returning its rows as the store keeps them (plain arrays, no NaN or undefined). */
  take(): LiveRowsRecord[] {
    const batches = this.batches;
    this.batches = [];
    this.queued = 0;
    return batches.map(({ time, kind, decoded }) => ({ time, kind, rows: decoded.rows, columns: storedColumns(decoded) }));
  }
}

function storedColumns(decoded: DecodedRows): LiveRowsRecord['columns'] {
  const columns: LiveRowsRecord['columns'] = {};
  for (const [name, values] of decoded.columns) {
    columns[name] = Array.from(values as ArrayLike<number | string>, v =>
      typeof v === 'number' ? (Number.isFinite(v) ? v : null) : v === undefined || v === null ? null : String(v)
    );
  }
  return columns;
}

/** Queues rows just added to a window for the next flush, never more than the window can hold. */
export function queueRows(w: WatchedDeployment, maxRows: number, kind: LiveRowsRecord['kind'], time: number, decoded: DecodedRows): void {
  // Between two flushes a flood of requests could queue more rows than the window keeps: drop the oldest.
  w.pendingRows.push(kind, time, decoded, 2 * (w.inputs?.capacity ?? maxRows));
}
