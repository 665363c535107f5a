/**
 * Model servers a previous service process (or a killed leader) left running: the one a new leader
 * adopts, and the others it kills.
 */
import { isProcessAlive, signalTree } from '../process/procinfo.js';
import type { DeploymentRecord } from '../store/store.js';
import { ModelServer, serversStartedIn } from './modelServer.js';

/** The running server of the deployment's serving version that its record lets any replica reach, attached. */
export function adoptable(record: DeploymentRecord): ModelServer | undefined {
  const { model } = record.deployment;
  const runtime = record.runtime.servers.filter(s => s.version === model.version && s.secret).at(-1);
  return runtime && ModelServer.attach(runtime, model.name);
}

/**
 * Kills model servers of a deployment that still run (checked against their start time): those in its
 * record, and those started in its folder that the record never heard of (the service died in between);
 * all but the adopted one (`keepPid`).
 */
export function killOrphans(record: DeploymentRecord, baseDir: string, keepPid?: number): void {
  for (const server of [...record.runtime.servers, ...(record.runtime.challengerServers ?? []), ...serversStartedIn(baseDir)]) {
    if (server.pid && server.pid !== keepPid && isProcessAlive(server.pid, server.pidStartTime)) {
      signalTree(server.pid, 'SIGKILL');
    }
  }
}
