import fs from 'node:fs';

/** Bytes read from the file per system call. */
const CHUNK = 4 * 1024 * 1024;
/** Longest line kept; a runaway line without newlines must not grow memory without bound. */
export const MAX_LINE_BYTES = 64 * 1024;
/** Appended to a line cut at {@link MAX_LINE_BYTES}, so a reader sees that it was cut. */
export const LINE_TRUNCATED = ' [line truncated]';

/** How much one {@link FileTailer.read} takes at most; the rest waits for the next read. */
export interface ReadBudget {
  bytes: number;
  lines: number;
}

/**
 * Default budget of one read (one poll of one stream). A runner printing gigabytes must not make the
 * service read, hold and store all of it in one go: it is taken a slice per poll, in order.
 */
export const DEFAULT_READ_BUDGET: ReadBudget = { bytes: 4 * 1024 * 1024, lines: 20_000 };

/**
 * Reads complete lines appended to a file since a byte offset. The offset only advances past whole
 * lines, so a service restarted mid-line resumes at the line's start.
 */
export class FileTailer {
  /** Whether the last read reached the end of the file (false when it stopped at its budget). */
  caughtUp = true;

  constructor(
    private readonly file: string,
    /** Bytes already consumed. */
    public offset: number
  ) {}

  /** New complete lines within `budget`; with `final`, a trailing partial line too (the writer has exited). */
  read(final = false, budget: ReadBudget = DEFAULT_READ_BUDGET): string[] {
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch {
      this.caughtUp = true;
      return [];
    }
    const lines: string[] = [];
    const cut = (chunk: Buffer, from: number, to: number) => {
      const text = chunk.subarray(from, Math.min(to, from + MAX_LINE_BYTES)).toString('utf8');
      return to - from > MAX_LINE_BYTES ? text + LINE_TRUNCATED : text;
    };
    let taken = 0;
    this.caughtUp = false;
    try {
      const buf = Buffer.alloc(CHUNK);
      for (;;) {
        if (taken >= budget.bytes || lines.length >= budget.lines) {
          break;
        }
        const want = Math.min(CHUNK, budget.bytes - taken);
        const n = fs.readSync(fd, buf, 0, want, this.offset);
        if (n === 0) {
          this.caughtUp = true;
          break;
        }
        const chunk = buf.subarray(0, n);
        let start = 0;
        for (let i = chunk.indexOf(10); i >= 0 && lines.length < budget.lines; i = chunk.indexOf(10, start)) {
          lines.push(cut(chunk, start, i));
          start = i + 1;
        }
        const atEnd = n < want;
        if (start === 0 && !atEnd && taken > 0) {
          // The next line does not fit what is left of the budget: it starts the next read.
          break;
        }
        if (start === 0 && !atEnd) {
          // One line longer than a whole read: keep its start, skip the rest of this chunk.
          lines.push(chunk.subarray(0, MAX_LINE_BYTES).toString('utf8') + LINE_TRUNCATED);
          start = n;
        } else if (atEnd && final && start < n && lines.length < budget.lines) {
          lines.push(cut(chunk, start, n));
          start = n;
        }
        this.offset += start;
        taken += start;
        if (atEnd && (start === n || lines.length < budget.lines)) {
          this.caughtUp = start === n || !final;
          break;
        }
      }
    } finally {
      fs.closeSync(fd);
    }
    return lines;
  }
}
