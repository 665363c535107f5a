import type { Metric } from '../schemas/jobs.js';
import type { RunnerRecord } from '../runner/protocol.js';
import { MAX_RUN_WARNINGS, type RunOutput, type RunView } from './runs.js';

/**
 * Applies one structured runner record to a run, the same way for every backend: `started` moves a
 * PREPARING run to RUNNING, progress and metrics fill the output, an error keeps the failing cell's
 * message for the run's errorMessage. Metric values are appended to `metrics` for the caller to store.
 * `outputPath` maps a path the runner wrote to one the service can serve, or to undefined when it points
 * outside the run's folder (the records come from user code); without it output and model records are
 * ignored (the files live where the service cannot read them).
 */
export function applyRunnerRecord(
  r: RunView,
  record: RunnerRecord,
  metrics: Metric[],
  now: string,
  outputPath?: (runnerPath: string) => string | undefined
): void {
  const out = r.output;
  switch (record.type) {
    case 'started':
      if (r.state === 'PREPARING') {
        r.transition('RUNNING', 'the runner started executing');
      }
      out.totalCells = record.totalCells ?? out.totalCells;
      break;
    case 'progress':
      out.completedCells = Math.max(out.completedCells, record.cell + 1);
      out.totalCells = record.totalCells ?? out.totalCells;
      break;
    case 'metric': {
      const step = typeof record.step === 'number' ? record.step : metrics.length + Object.keys(out.latestMetrics).length;
      for (const [name, value] of Object.entries(record.values ?? {})) {
        if (typeof value === 'number' && Number.isFinite(value)) {
          metrics.push({ step, name, value, time: record.time ?? now });
          out.latestMetrics[name] = value;
        }
      }
      const nonFinite = record.nonFinite && typeof record.nonFinite === 'object' ? record.nonFinite : {};
      for (const [name, raw] of Object.entries(nonFinite)) {
        const value = NON_FINITE.has(String(raw)) ? String(raw) : 'not a finite number';
        noteWarning(out, name, `metric ${name} was ${value} at step ${step}; not recorded as a value`);
        r.recordNonFinite?.(name, step, value);
      }
      break;
    }
    case 'error': {
      r.runtime.cellError = `${failingCell(record)}${record.ename ?? 'Error'}: ${record.evalue ?? ''}${record.traceback ? `\n${record.traceback}` : ''}`;
      break;
    }
    case 'output': {
      if (!outputPath) {
        break;
      }
      const notebook = record.notebook ? outputPath(record.notebook) : undefined;
      const html = record.html ? outputPath(record.html) : undefined;
      out.outputNotebook = notebook ?? out.outputNotebook;
      out.outputHtml = html ?? out.outputHtml;
      break;
    }
    case 'kernel': {
      if (typeof record.name === 'string') {
        out.kernel = { name: record.name.slice(0, 128), ...(typeof record.requested === 'string' ? { requested: record.requested.slice(0, 128) } : {}) };
      }
      break;
    }
    case 'model': {
      const folder = outputPath && typeof record.path === 'string' ? outputPath(record.path) : undefined;
      if (folder === undefined || typeof record.name !== 'string') {
        break;
      }
      // Registered once the run succeeds; a later save under the same name replaces the earlier one.
      out.models = [...(out.models ?? []).filter(m => m.name !== record.name), { name: record.name, path: folder }];
      break;
    }
  }
}

/**
 * The start of an errorMessage for a failing cell, numbered as the user counts cells in their notebook
 * (1-based, papermill's injected parameters cell left out), or naming that injected cell.
 */
function failingCell(record: Extract<RunnerRecord, { type: 'error' }>): string {
  if (record.injectedParameters === true) {
    return 'The injected parameters cell raised ';
  }
  if (typeof record.cellNumber === 'number') {
    return `Cell ${record.cellNumber} raised `;
  }
  // A runner that predates cellNumber sends only the 0-based executed index.
  return typeof record.cell === 'number' ? `Cell ${record.cell + 1} raised ` : '';
}

const NON_FINITE = new Set(['NaN', 'Infinity', '-Infinity']);

/** Keeps the first warning about each metric, up to {@link MAX_RUN_WARNINGS}. */
function noteWarning(out: RunOutput, name: string, message: string): void {
  const warnings = (out.warnings ??= []);
  if (warnings.length < MAX_RUN_WARNINGS && !warnings.some(w => w.startsWith(`metric ${name} was `))) {
    warnings.push(message);
  }
}
