import { IAlert, IMonitoring, IVersionComparison, JsonAnswer } from '../wire';
import { ServingClient } from './servingClient';
import { deploymentPath } from './routes';

/**
 * The monitoring routes of deployments: request series, drift, alerts and
 * the champion/challenger comparison.
 */
export class MonitoringClient extends ServingClient {
  /** GET /deployments/{name}/monitoring/versions: champion and challenger side by side. */
  getVersionComparison(
    name: string,
    signal?: AbortSignal
  ): Promise<IVersionComparison> {
    return this.requester.json<IVersionComparison>(
      'GET',
      `${deploymentPath(name)}/monitoring/versions`,
      { signal }
    );
  }

  /** GET /deployments/{name}/monitoring: request series, drift and alerts. */
  getMonitoring(
    name: string,
    options: { since?: string; step?: number; signal?: AbortSignal } = {}
  ): Promise<IMonitoring> {
    const { since, step, signal } = options;
    return this.requester.json<IMonitoring>(
      'GET',
      `${deploymentPath(name)}/monitoring`,
      { query: { since, step }, signal }
    );
  }

  /** GET /deployments/{name}/alerts: firing and resolved, newest first. */
  async listAlerts(name: string, signal?: AbortSignal): Promise<IAlert[]> {
    const body = await this.requester.json<
      JsonAnswer<'/api/v1/deployments/{name}/alerts'>
    >('GET', `${deploymentPath(name)}/alerts`, { signal });
    return body.alerts ?? [];
  }
}
