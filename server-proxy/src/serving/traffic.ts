/**
 * Champion/challenger traffic, apart from how versions are served: the inference proxy asks a
 * {@link TrafficSource} which ready upstreams a deployment has and what its policy is, and this module
 * decides where a request goes. The local backend's supervisors are one source; a Kubernetes backend
 * (a Deployment + Service per version) is another, giving an upstream per Service.
 */
import type { TrafficMode } from '../schemas/serving.js';
import type { ServingTarget as Serving } from './servingTarget.js';

/** How one challenger shares the deployment's requests with the champion. */
export interface TrafficPolicy {
  mode: TrafficMode;
  /** Canary: percent (0-100) of requests answered by this challenger. Ignored for shadow. */
  weight: number;
}

/** A ready challenger and its policy. */
export interface ChallengerTarget {
  serving: Serving;
  policy: TrafficPolicy;
}

/** What one deployment serves right now: only ready versions are given. */
export interface TrafficTargets {
  champion?: Serving;
  challengers: ChallengerTarget[];
}

/** Where one request goes: `answer` answers it; each of `mirrors` gets a copy whose answer is only recorded. */
export interface Route {
  answer: Serving;
  role: 'champion' | 'challenger';
  mirrors: Serving[];
  /** Whether the deployment has a ready challenger: only then are its versions compared (VersionMonitor). */
  compared: boolean;
}

/**
 * Chooses the version answering one request. One draw in [0, 100) walks the canary challengers' weights
 * in turn (independent draws per request, so each share converges on its weight and a weight change
 * applies to the very next request); what is left of 100 is the champion's. Every shadow challenger
 * gets a copy of each request the champion answers (a canary's answer is no champion's to compare
 * with). A challenger not ready is not given, so its share goes to the champion. Without a ready
 * champion the canary challengers answer in proportion to their weights (better than a 503), shadows
 * never do. Undefined when nothing can answer.
 */
export function route(targets: TrafficTargets, random: () => number = Math.random): Route | undefined {
  const { champion } = targets;
  if (champion && targets.challengers.length === 0) {
    return { answer: champion, role: 'champion', mirrors: [], compared: false };
  }
  const canaries = targets.challengers.filter(c => c.policy.mode === 'canary' && c.policy.weight > 0);
  if (!champion) {
    const total = canaries.reduce((sum, c) => sum + c.policy.weight, 0);
    const chosen = total > 0 ? pick(canaries, random() * total) : undefined;
    return chosen ? { answer: chosen.serving, role: 'challenger', mirrors: [], compared: true } : undefined;
  }
  const chosen = pick(canaries, random() * 100);
  if (chosen) {
    return { answer: chosen.serving, role: 'challenger', mirrors: [], compared: true };
  }
  const mirrors = targets.challengers.filter(c => c.policy.mode === 'shadow').map(c => c.serving);
  return { answer: champion, role: 'champion', mirrors, compared: true };
}

/** The canary whose slice of the weights holds `draw`, or undefined when it falls past them all. */
function pick(canaries: ChallengerTarget[], draw: number): ChallengerTarget | undefined {
  let left = draw;
  for (const c of canaries) {
    if (left < c.policy.weight) {
      return c;
    }
    left -= c.policy.weight;
  }
  return undefined;
}

/**
 * Bounds the shadow copies in flight per challenger (the key names both): a slow challenger must not pile up requests (and
 * memory) behind a fast champion. Copies over the bound are dropped and counted, never queued.
 */
export class MirrorGate {
  private readonly inflight = new Map<string, number>();

  constructor(private readonly max = 64) {}

  /** Takes a slot for `key`; false when the bound is reached. */
  enter(key: string): boolean {
    const n = this.inflight.get(key) ?? 0;
    if (n >= this.max) {
      return false;
    }
    this.inflight.set(key, n + 1);
    return true;
  }

  /** Frees a slot taken by {@link enter}. */
  leave(key: string): void {
    const n = (this.inflight.get(key) ?? 1) - 1;
    if (n <= 0) {
      this.inflight.delete(key);
    } else {
      this.inflight.set(key, n);
    }
  }
}
