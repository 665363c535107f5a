import fs from 'node:fs';

/** Fields of /proc/<pid>/stat we use; the command name may contain spaces, so parse after the last ')'. */
function readStat(pid: number): { state: string; ppid: number; startTime: string } | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // After the name: state(3) ppid(4) ... starttime is field 22, i.e. index 19 here.
  return { state: fields[0], ppid: Number(fields[1]), startTime: fields[19] };
}

/** Start time of a process in clock ticks since boot, the identity check against pid reuse. */
export function processStartTime(pid: number): string | undefined {
  return readStat(pid)?.startTime;
}

/** Whether the process exists, is not a zombie and (when given) started at `startTime`. */
export function isProcessAlive(pid: number, startTime?: string): boolean {
  const stat = readStat(pid);
  if (!stat || stat.state === 'Z' || stat.state === 'X') {
    return false;
  }
  return startTime === undefined || stat.startTime === startTime;
}

/** All descendants of `pid` (children first-level first), found through /proc. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) {
      continue;
    }
    const stat = readStat(Number(name));
    if (stat) {
      const list = children.get(stat.ppid) ?? [];
      list.push(Number(name));
      children.set(stat.ppid, list);
    }
  }
  const out: number[] = [];
  const todo = [pid];
  while (todo.length) {
    const p = todo.shift()!;
    for (const c of children.get(p) ?? []) {
      out.push(c);
      todo.push(c);
    }
  }
  return out;
}

/**
 * Signals the runner's process group and every descendant. Kernels started by the runner live in their
 * own session (jupyter_client starts them so), so the group alone would miss them.
 */
export function signalTree(pid: number, signal: NodeJS.Signals): void {
  const tree = descendants(pid);
  try {
    process.kill(-pid, signal);
  } catch {
    // The group may already be gone.
  }
  for (const p of tree) {
    try {
      process.kill(p, signal);
    } catch {
      // Already exited.
    }
  }
}

/**
 * A runner started in `workdir` whose pid was never saved (the service died between spawning it and
 * recording it): the process-group leader working in `workdir` (or below it) whose command line runs
 * `laketahoe.runner`. A kernel forked from a warm runner has the same command line and leads its own
 * session too: of such a pair, the runner is the one whose parent is not a candidate.
 */
export function findRunnerIn(workdir: string): { pid: number; startTime: string } | undefined {
  const candidates: { pid: number; ppid: number; startTime: string }[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) {
      continue;
    }
    const pid = Number(name);
    try {
      // Starts in `workdir`; papermill moves it into the snapshot folder while a notebook executes.
      const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
      if (cwd !== workdir && !cwd.startsWith(workdir + '/')) {
        continue;
      }
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // state(0) ppid(1) pgrp(2): the runner is started detached, so it leads its own group.
      if (Number(fields[2]) !== pid || fields[0] === 'Z') {
        continue;
      }
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!argv.includes('laketahoe.runner')) {
        continue;
      }
      candidates.push({ pid, ppid: Number(fields[1]), startTime: fields[19] });
    } catch {
      // Gone meanwhile, or another user's process.
    }
  }
  const found = candidates.find(c => !candidates.some(other => other.pid === c.ppid));
  return found && { pid: found.pid, startTime: found.startTime };
}

/** Flag of a listening socket in /proc/net/unix (`__SO_ACCEPTCON`). */
const SO_ACCEPTCON = 0x10000;

/**
 * Who listens on the Unix socket at `socketPath`: 'none' while nobody does, 'ours' when every listening
 * socket bound to that path is held by process `pid`, 'other' when some other process holds one (it
 * bound the path first, or unlinked and bound it again). Linux only; undefined where /proc cannot tell.
 */
export function unixSocketListener(socketPath: string, pid: number): 'none' | 'ours' | 'other' | undefined {
  let table: string;
  try {
    table = fs.readFileSync('/proc/net/unix', 'utf8');
  } catch {
    return undefined;
  }
  const inodes: string[] = [];
  for (const line of table.split('\n').slice(1)) {
    // Num RefCount Protocol Flags Type St Inode Path
    const fields = line.trim().split(/\s+/);
    if (fields.length >= 8 && fields.slice(7).join(' ') === socketPath && (parseInt(fields[3], 16) & SO_ACCEPTCON) !== 0) {
      inodes.push(fields[6]);
    }
  }
  if (inodes.length === 0) {
    return 'none';
  }
  const held = new Set<string>();
  let fds: string[];
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return 'other';
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) {
        held.add(m[1]);
      }
    } catch {
      // Closed while we looked.
    }
  }
  return inodes.every(i => held.has(i)) ? 'ours' : 'other';
}
