/* Shapes of monitoring that the store, the push events and serving's schemas share. */

/** A deployment's monitoring settings (`Deployment.monitoring` in the contract). */
export interface MonitoringSpec {
  /** Span of the sliding windows (input rows, p99 latency, error rate), in seconds. */
  windowSeconds: number;
  drift: { numeric: 'psi' | 'ks' | 'wasserstein'; categorical: 'js' | 'chi2'; threshold: number };
  alerts: { name: string; metric: 'drift' | 'latencyP99Ms' | 'errorRate'; threshold: number }[];
}

/** One alert rule of a deployment. */
export type AlertRule = MonitoringSpec['alerts'][number];

/** An alert as the API shows it. */
export interface Alert {
  id: string;
  deployment: string;
  rule: string;
  metric: AlertRule['metric'];
  /** The measured value when the alert fired. */
  value: number;
  threshold: number;
  state: 'firing' | 'resolved';
  startTime: string;
  endTime: string | null;
  message: string;
}
