import fs from 'node:fs';
import path from 'node:path';

/** The runtime file's content (docs/contracts.md). */
export interface RuntimeInfo {
  url: string | null;
  socket: string | null;
  token: string | null;
  pid: number;
  rootDir: string;
  user: string;
}

/** Writes the runtime file atomically with mode 0600: it holds the token. */
export function writeRuntimeFile(file: string, info: RuntimeInfo): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(info, null, 2), { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

/** Removes the runtime file if it is still ours. */
export function removeRuntimeFile(file: string): void {
  try {
    const info = JSON.parse(fs.readFileSync(file, 'utf8')) as RuntimeInfo;
    if (info.pid === process.pid) {
      fs.unlinkSync(file);
    }
  } catch {
    // Already gone or replaced by another instance.
  }
}
