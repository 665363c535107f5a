import fs from 'node:fs';
import * as k8s from '@kubernetes/client-node';
import type { ServiceConfig } from '../config.js';
import type { Database } from '../store/postgres/database.js';
import { AdvisoryLockElector } from './advisoryLock.js';
import { kubeLeaseApi } from './kubeLease.js';
import { LeaseElector } from './lease.js';
import { SingleProcessElector, type Elector } from './leadership.js';

/** Mounted into every pod that may call the API server: with the service host, what "in a pod" means. */
const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * The elector the configuration asks for: SQLite is one process (always leader); on PostgreSQL a
 * Kubernetes Lease when asked for (or, with `auto`, when running in a pod), else an advisory lock.
 */
export function electorFor(config: ServiceConfig, database: Database | undefined, warn: (err: unknown, message: string) => void): Elector {
  if (!database) {
    return new SingleProcessElector();
  }
  const mode = config.leaderElection ?? 'auto';
  // The service host alone is only a variable (a test or a copied environment may set it); a pod also has
  // its service account's token.
  const inCluster = Boolean(process.env.KUBERNETES_SERVICE_HOST) && fs.existsSync(SERVICE_ACCOUNT_TOKEN);
  if (mode === 'lease' || (mode === 'auto' && inCluster)) {
    const kubeConfig = new k8s.KubeConfig();
    if (config.k8s?.kubeconfig) {
      kubeConfig.loadFromFile(config.k8s.kubeconfig);
    } else {
      kubeConfig.loadFromDefault();
    }
    const lease = config.leaderLease ?? { namespace: 'default', name: 'laketahoe-leader' };
    return new LeaseElector({ api: kubeLeaseApi(kubeConfig, lease.namespace, lease.name), warn });
  }
  return new AdvisoryLockElector({ url: database.url, types: database.types, warn });
}
