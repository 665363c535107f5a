// Where a process's busy time went, from a V8 .cpuprofile (`--cpu-prof`): the functions with the most
// time of their own and with the most time including what they call, as a share of busy (non-idle) time,
// over the part of the profile between the first and the last sample that ran a function of `--phase`
// (a script's file name: the request phase, without start-up and shut-down).
//
// Usage: node bench/serving/profile-summary.mjs PROFILE [--phase inferenceFastPath] [--top 30]
//        (for the bare forwarder of latency.mjs: --phase '[eval]')
import fs from 'node:fs';

const [file] = process.argv.slice(2);
const option = (name, fallback) => (process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1] : fallback);
const phase = option('phase', 'inferenceFastPath');
const top = Number(option('top', 30));
if (!file) {
  console.error('usage: node bench/serving/profile-summary.mjs PROFILE [--phase SCRIPT] [--top N]');
  process.exit(2);
}

const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map(n => [n.id, n]));
const parentOf = new Map();
for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);
const label = n => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
const idle = n => n.callFrame.functionName === '(idle)' || n.callFrame.functionName === '(program)';
/** The node and its callers, innermost first. */
function stack(id) {
  const frames = [];
  for (let at = id; at !== undefined; at = parentOf.get(at)) frames.push(nodes.get(at));
  return frames;
}

// Sample times, and the phase: from the first to the last sample inside a function of `phase`.
const times = [];
let t = profile.startTime;
for (const delta of profile.timeDeltas) times.push((t += delta));
const inPhase = new Map();
const sampleInPhase = id => {
  // A function of the script, not its top level (line 0), which runs once when the script is loaded: that
  // would start the phase at start-up.
  if (!inPhase.has(id)) inPhase.set(id, stack(id).some(n => n.callFrame.url.includes(phase) && n.callFrame.lineNumber > 0));
  return inPhase.get(id);
};
let first = Infinity;
let last = -Infinity;
profile.samples.forEach((id, i) => {
  if (sampleInPhase(id)) {
    first = Math.min(first, times[i]);
    last = Math.max(last, times[i]);
  }
});
if (first === Infinity) {
  console.error(`no sample ran a function of ${phase}`);
  process.exit(1);
}

// A sample's time is the gap to the next sample.
const own = new Map();
const inclusive = new Map();
let busy = 0;
profile.samples.forEach((id, i) => {
  const node = nodes.get(id);
  const time = (times[i + 1] ?? times[i]) - times[i];
  if (times[i] < first || times[i] > last || idle(node)) return;
  busy += time;
  own.set(label(node), (own.get(label(node)) ?? 0) + time);
  for (const name of new Set(stack(id).map(label))) inclusive.set(name, (inclusive.get(name) ?? 0) + time);
});

const show = (title, map) => {
  console.log(`--- ${title}`);
  for (const [name, time] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * time) / busy).toFixed(1).padStart(5)} %  ${(time / 1000).toFixed(0).padStart(6)} ms  ${name}`);
  }
};
console.log(`${file}: ${((last - first) / 1e6).toFixed(1)} s of ${phase}, busy ${(busy / 1000).toFixed(0)} ms`);
show('own time', own);
show('including callees', inclusive);
