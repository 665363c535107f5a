/**
 * Alert rules: what a rule measures, when it fires, and the firing/resolved transitions. Pure: the
 * monitor supplies the measured values and persists and publishes the alerts this module returns.
 */
import crypto from 'node:crypto';
import type { Alert, AlertRule } from '../schemas/monitoring.js';

export type { Alert, AlertRule } from '../schemas/monitoring.js';

/** What the rules are evaluated against: values over the deployment's window (null: no data). */
export interface Measurements {
  windowSeconds: number;
  drift: { score: number; feature: string | null } | null;
  latencyP99Ms: number | null;
  errorRate: { rate: number; errors: number; requests: number } | null;
}

/** The rule's current value and why, or null when there is nothing to measure (which never fires). */
export function measure(rule: AlertRule, m: Measurements): { value: number; message: string } | null {
  const over = (v: number) => `${round(v)} > ${round(rule.threshold)}`;
  switch (rule.metric) {
    case 'drift':
      if (!m.drift) return null;
      return {
        value: m.drift.score,
        message: `feature drift ${over(m.drift.score)}${m.drift.feature ? ` (${m.drift.feature})` : ''}`
      };
    case 'latencyP99Ms':
      if (m.latencyP99Ms === null) return null;
      return { value: m.latencyP99Ms, message: `p99 latency ${over(m.latencyP99Ms)} ms over the last ${m.windowSeconds} s` };
    case 'errorRate': {
      if (!m.errorRate) return null;
      const { rate, errors, requests } = m.errorRate;
      return { value: rate, message: `error rate ${over(rate)} (${errors} of ${requests} requests over the last ${m.windowSeconds} s)` };
    }
  }
}

/**
 * The transitions of one deployment's alerts: a new firing alert for each rule now over its threshold
 * and not yet firing, and the resolution of each firing alert whose rule is back under its threshold
 * or no longer exists. No requests in the window resolve latency and error-rate alerts (nothing is slow
 * or failing); no rows leave a drift alert as it is. `firing` maps rule names to their open alerts.
 */
export function transitions(
  deployment: string,
  rules: readonly AlertRule[],
  firing: ReadonlyMap<string, Alert>,
  m: Measurements,
  now: Date
): Alert[] {
  const changed: Alert[] = [];
  const time = now.toISOString();
  for (const rule of rules) {
    const current = measure(rule, m);
    const open = firing.get(rule.name);
    if (current === null && rule.metric === 'drift') {
      // Drift without live rows is unknown (a restart empties the window): an open alert stays open.
      continue;
    }
    const over = current !== null && current.value > rule.threshold;
    if (over && !open) {
      changed.push({
        id: crypto.randomUUID(),
        deployment,
        rule: rule.name,
        metric: rule.metric,
        value: current.value,
        threshold: rule.threshold,
        state: 'firing',
        startTime: time,
        endTime: null,
        message: current.message
      });
    } else if (!over && open) {
      changed.push({ ...open, state: 'resolved', endTime: time });
    }
  }
  for (const [name, open] of firing) {
    if (!rules.some(r => r.name === name)) {
      changed.push({ ...open, state: 'resolved', endTime: time });
    }
  }
  return changed;
}

/** Up to three significant decimals, for messages. */
function round(v: number): string {
  return String(Math.round(v * 1000) / 1000);
}
