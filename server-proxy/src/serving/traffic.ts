/**
 * Champion/challenger traffic, apart from how versions are served: the inference proxy asks a
 * {@link TrafficSource} which ready upstreams a deployment has and what its policy is, and this module
 * decides where a request goes. The local backend's supervisors are one source; a Kubernetes backend
 * (a Deployment + Service per version) is another, giving an upstream per Service.
 */
import type { TrafficMode } from '../schemas/serving.js';
import type { ServingTarget as Serving } from './servingTarget.js';

/** How a deployment's requests are shared between champion and challenger. */
export interface TrafficPolicy {
  mode: TrafficMode;
  /** Canary: percent (0-100) of requests answered by the challenger. Ignored for shadow. */
  weight: number;
}

/** What one deployment serves right now: only ready versions are given. */
export interface TrafficTargets {
  champion?: Serving;
  challenger?: Serving;
  policy?: TrafficPolicy;
}

/** Where one request goes: `answer` answers it; `mirror`, when set, gets a copy whose answer is only recorded. */
export interface Route {
  answer: Serving;
  role: 'champion' | 'challenger';
  mirror?: Serving;
}

/**
 * Chooses the version answering one request. Canary: the challenger with probability weight/100
 * (independent draws, so the share converges on the weight and a weight change applies to the very next
 * request); shadow: always the champion, with the challenger as mirror. Without a ready challenger the
 * champion answers everything; without a ready champion a canary challenger answers (better than a 503),
 * a shadow never does. Undefined when nothing can answer.
 */
export function route(targets: TrafficTargets, random: () => number = Math.random): Route | undefined {
  const { champion, challenger, policy } = targets;
  if (!challenger || !policy) {
    return champion ? { answer: champion, role: 'champion' } : undefined;
  }
  if (policy.mode === 'shadow') {
    return champion ? { answer: champion, role: 'champion', mirror: challenger } : undefined;
  }
  if (!champion) {
    return policy.weight > 0 ? { answer: challenger, role: 'challenger' } : undefined;
  }
  return random() * 100 < policy.weight ? { answer: challenger, role: 'challenger' } : { answer: champion, role: 'champion' };
}

/**
 * Bounds the shadow copies in flight per deployment: a slow challenger must not pile up requests (and
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
