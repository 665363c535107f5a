/** The marker that starts a structured runner line. */
export const MARKER = '##laketahoe ';

/** A structured record from the runner (see the runner protocol in docs/contracts.md). */
export type RunnerRecord =
  | { type: 'started'; totalCells?: number }
  | { type: 'progress'; cell: number; totalCells?: number }
  | {
      type: 'metric';
      step?: number;
      values: Record<string, unknown>;
      /** Values that were NaN or infinite, spelled `NaN`, `Infinity`, `-Infinity` (JSON has no such numbers). */
      nonFinite?: Record<string, unknown>;
      time?: string;
    }
  | {
      type: 'error';
      /** 0-based index in the executed notebook, papermill's injected parameters cell included. */
      cell?: number;
      /** 1-based number among the notebook's own cells, as the user counts them. */
      cellNumber?: number;
      /** The failing cell is the parameters cell papermill injected. */
      injectedParameters?: boolean;
      ename?: string;
      evalue?: string;
      traceback?: string;
    }
  | { type: 'output'; notebook?: string; html?: string }
  | { type: 'model'; name: string; path: string }
  /** The kernelspec the notebook runs on; `requested` when it is a fallback for one that is not installed. */
  | { type: 'kernel'; name: string; requested?: string };

/** A parsed log line: a structured record, or plain text to keep. */
export type ParsedLine = { kind: 'record'; record: RunnerRecord } | { kind: 'text'; text: string };

const KNOWN = new Set(['started', 'progress', 'metric', 'error', 'output', 'model', 'kernel']);

/** A line kept as text whatever it holds (a stream that carries no records). */
export function asText(line: string): ParsedLine {
  return { kind: 'text', text: line.endsWith('\r') ? line.slice(0, -1) : line };
}

/**
 * Splits structured lines from plain text. A marker line that is not valid JSON or has an unknown type
 * is kept as text, so nothing the runner printed is lost.
 */
export function parseRunnerLine(line: string): ParsedLine {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (!text.startsWith(MARKER)) {
    return { kind: 'text', text };
  }
  try {
    const value = JSON.parse(text.slice(MARKER.length)) as { type?: unknown };
    if (value && typeof value === 'object' && typeof value.type === 'string' && KNOWN.has(value.type)) {
      return { kind: 'record', record: value as RunnerRecord };
    }
  } catch {
    // Fall through: keep it as text.
  }
  return { kind: 'text', text };
}
