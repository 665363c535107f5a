/**
 * The sliding window of live rows of one deployment: column arrays in a ring buffer bounded both by
 * age (windowSeconds) and by a row cap, so memory stays fixed however much traffic arrives.
 */
import type { LiveColumns } from './drift.js';

/** A column of the window: its name and how its values are kept. */
export interface ColumnSpec {
  name: string;
  kind: 'numeric' | 'categorical';
}

/** Rows decoded from one request: one array per column, all of length `rows`. */
export interface DecodedRows {
  rows: number;
  columns: Map<string, ArrayLike<number> | readonly string[]>;
}

/** Ring buffer of timestamped rows, oldest at `head`. */
export class RowWindow implements LiveColumns {
  private readonly times: Float64Array;
  private readonly numericColumns = new Map<string, Float64Array>();
  private readonly categoricalColumns = new Map<string, (string | null)[]>();
  private head = 0;
  private size = 0;
  /** Changes whenever rows are added or dropped, so callers can cache what they computed from it. */
  revision = 0;

  constructor(
    columns: readonly ColumnSpec[],
    readonly capacity: number
  ) {
    this.times = new Float64Array(capacity);
    for (const c of columns) {
      if (c.kind === 'numeric') {
        this.numericColumns.set(c.name, new Float64Array(capacity).fill(Number.NaN));
      } else {
        this.categoricalColumns.set(c.name, new Array<string | null>(capacity).fill(null));
      }
    }
  }

  /** Rows currently in the window. */
  get rows(): number {
    return this.size;
  }

  /**
   * Appends rows taken at `time` (epoch ms). Columns the window does not know are ignored, known ones
   * missing from `decoded` are left empty (NaN / null). When full, the oldest rows are overwritten.
   */
  append(time: number, decoded: DecodedRows): void {
    // More rows than fit: only the newest `capacity` of them can survive anyway.
    const skip = Math.max(0, decoded.rows - this.capacity);
    const count = decoded.rows - skip;
    if (count === 0) {
      return;
    }
    const first = (this.head + this.size) % this.capacity;
    const overflow = Math.max(0, this.size + count - this.capacity);
    this.head = (this.head + overflow) % this.capacity;
    this.size = Math.min(this.capacity, this.size + count);
    for (let r = 0; r < count; r++) {
      this.times[(first + r) % this.capacity] = time;
    }
    // Column by column: one map lookup per column and request, not per value.
    for (const [name, column] of this.numericColumns) {
      const values = decoded.columns.get(name);
      for (let r = 0; r < count; r++) {
        const v = values ? Number(values[skip + r]) : Number.NaN;
        column[(first + r) % this.capacity] = Number.isFinite(v) ? v : Number.NaN;
      }
    }
    for (const [name, column] of this.categoricalColumns) {
      const values = decoded.columns.get(name);
      for (let r = 0; r < count; r++) {
        const v = values ? values[skip + r] : undefined;
        column[(first + r) % this.capacity] = v === undefined || v === null ? null : String(v);
      }
    }
    this.revision++;
  }

  /** Drops rows older than `before` (epoch ms). Rows arrive in time order, so only the head can be stale. */
  expire(before: number): void {
    let dropped = 0;
    while (this.size > 0 && this.times[this.head] < before) {
      this.head = (this.head + 1) % this.capacity;
      this.size--;
      dropped++;
    }
    if (dropped > 0) {
      this.revision++;
    }
  }

  /** A fresh array of the numeric column's present values, oldest first (empty for an unknown column). */
  numeric(name: string): Float64Array {
    const column = this.numericColumns.get(name);
    if (!column) {
      return new Float64Array(0);
    }
    const out = new Float64Array(this.size);
    let k = 0;
    for (let i = 0; i < this.size; i++) {
      const v = column[(this.head + i) % this.capacity];
      if (v === v) {
        out[k++] = v;
      }
    }
    return k === this.size ? out : out.slice(0, k);
  }

  /** The categorical column's present values, oldest first. */
  categorical(name: string): string[] {
    const column = this.categoricalColumns.get(name);
    const out: string[] = [];
    if (!column) {
      return out;
    }
    for (let i = 0; i < this.size; i++) {
      const v = column[(this.head + i) % this.capacity];
      if (v !== null) {
        out.push(v);
      }
    }
    return out;
  }
}
