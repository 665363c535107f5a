/**
 * Model servers a previous service process (or a killed leader) left running: the one a new leader
 * adopts, and the others it kills.
 */
import { isProcessAlive, signalTree } from '../process/procinfo.js';
import type { DeploymentRecord, ServerRuntime } from '../store/store.js';
import { ModelServer, serversStartedIn } from './modelServer.js';

/**
 * The running server that its record lets any replica reach, attached: the champion's serving version,
 * or with `challengerVersion` that challenger's.
 */
export function adoptable(record: DeploymentRecord, challengerVersion?: number): ModelServer | undefined {
  const { model } = record.deployment;
  const [servers, version] = challengerVersion === undefined ? [record.runtime.servers, model.version] : [record.runtime.challengerServers ?? [], challengerVersion];
  const runtime = servers.filter(s => s.version === version && s.secret).at(-1);
  return runtime && ModelServer.attach(runtime, model.name);
}

/** The server of the version a switch left underway (UPDATING) was starting, still running, attached. */
export function adoptableSwitchTarget(record: DeploymentRecord): ModelServer | undefined {
  const { state, nextModel } = record.deployment;
  const runtime = state === 'UPDATING' && nextModel ? record.runtime.servers.filter(s => s.version === nextModel.version && s.secret).at(-1) : undefined;
  return runtime && nextModel && ModelServer.attach(runtime, nextModel.name);
}

/** The challengers' servers (one per challenger version, the newest) still running with a record other replicas can reach. */
export function adoptableChallengers(record: DeploymentRecord): ServerRuntime[] {
  const servers = record.runtime.challengerServers ?? [];
  return (record.deployment.challengers ?? []).flatMap(c => {
    const s = servers.filter(x => x.version === c.model.version && x.secret).at(-1);
    return s?.pid && isProcessAlive(s.pid, s.pidStartTime) ? [s] : [];
  });
}

/**
 * Kills model servers of a deployment that still run (checked against their start time): those in its
 * record, and those started in its folder that the record never heard of (the service died in between);
 * all but the adopted ones (`keepPids`).
 */
export function killOrphans(record: DeploymentRecord, baseDir: string, keepPids: (number | undefined)[] = []): void {
  for (const server of [...record.runtime.servers, ...(record.runtime.challengerServers ?? []), ...serversStartedIn(baseDir)]) {
    if (server.pid && !keepPids.includes(server.pid) && isProcessAlive(server.pid, server.pidStartTime)) {
      signalTree(server.pid, 'SIGKILL');
    }
  }
}
