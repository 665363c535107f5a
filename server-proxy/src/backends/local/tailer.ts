import fs from 'node:fs';

const MAX_READ = 4 * 1024 * 1024;
/** Longest line kept; a runaway line without newlines must not grow memory without bound. */
export const MAX_LINE_BYTES = 64 * 1024;

/**
 * Reads complete lines appended to a file since a byte offset. The offset only advances past whole
 * lines, so a service restarted mid-line resumes at the line's start.
 */
export class FileTailer {
  constructor(
    private readonly file: string,
    /** Bytes already consumed. */
    public offset: number
  ) {}

  /** New complete lines; with `final`, a trailing partial line too (the writer has exited). */
  read(final = false): string[] {
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch {
      return [];
    }
    const lines: string[] = [];
    try {
      for (;;) {
        const buf = Buffer.alloc(MAX_READ);
        const n = fs.readSync(fd, buf, 0, MAX_READ, this.offset);
        if (n === 0) {
          break;
        }
        const chunk = buf.subarray(0, n);
        let start = 0;
        for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, start)) {
          lines.push(chunk.subarray(start, Math.min(i, start + MAX_LINE_BYTES)).toString('utf8'));
          start = i + 1;
        }
        const atEnd = n < MAX_READ;
        if (start === 0 && !atEnd) {
          // One line longer than a whole read: cut it rather than stall.
          lines.push(chunk.subarray(0, MAX_LINE_BYTES).toString('utf8'));
          start = n;
        } else if (atEnd && final && start < n) {
          lines.push(chunk.subarray(start, Math.min(n, start + MAX_LINE_BYTES)).toString('utf8'));
          start = n;
        }
        this.offset += start;
        if (atEnd) {
          break;
        }
      }
    } finally {
      fs.closeSync(fd);
    }
    return lines;
  }
}
