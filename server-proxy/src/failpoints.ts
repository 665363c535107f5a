/**
 * Crash-window failpoints for the recovery tests. `LAKETAHOE_FAILPOINTS=after-stage,after-spawn` makes
 * the service announce on stderr that it reached a point and then hold still there (the whole event
 * loop), so a test can SIGKILL the real process inside the window a crash could hit. Unset, a call is a
 * no-op.
 */
export type Failpoint = 'after-stage' | 'after-store' | 'after-spawn';

/** How long a failpoint holds: longer than any test waits to send its SIGKILL. */
const HOLD_MS = 60_000;

/** Holds at `name` when the environment enables it. */
export function failpoint(name: Failpoint): void {
  const enabled = (process.env.LAKETAHOE_FAILPOINTS ?? '').split(',');
  if (!enabled.includes(name)) {
    return;
  }
  process.stderr.write(`failpoint ${name} reached\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, HOLD_MS);
}
