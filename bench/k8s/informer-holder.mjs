// Child process of watch-load.mjs: holds client-node informers on the Jobs and Pods of one
// namespace (or, with --none, only loads the client: the baseline) and answers the parent's
// "sample" messages with what it holds. CPU time and memory are read from /proc by the parent.
import fs from 'node:fs';
import { k8s } from './common.mjs';

const [kubeconfig, namespace, mode] = process.argv.slice(2);
const kc = new k8s.KubeConfig();
kc.loadFromString(fs.readFileSync(kubeconfig, 'utf8'));
const events = { add: 0, update: 0, delete: 0, error: 0 };
const informers = [];

if (mode !== '--none') {
  const batch = kc.makeApiClient(k8s.BatchV1Api);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  informers.push(
    k8s.makeInformer(kc, `/apis/batch/v1/namespaces/${namespace}/jobs`, () => batch.listNamespacedJob({ namespace })),
    k8s.makeInformer(kc, `/api/v1/namespaces/${namespace}/pods`, () => core.listNamespacedPod({ namespace }))
  );
  for (const informer of informers) {
    for (const verb of ['add', 'update', 'delete']) informer.on(verb, () => events[verb]++);
    // The informer stops on errors (a watch closed by the server, say); restart it as a controller would.
    informer.on('error', () => {
      events.error++;
      setTimeout(() => informer.start(), 1000);
    });
    await informer.start();
  }
}

process.on('message', message => {
  if (message === 'stop') {
    for (const informer of informers) informer.stop();
    process.exit(0);
  }
  process.send({
    jobs: informers[0]?.list().length ?? 0,
    pods: informers[1]?.list().length ?? 0,
    events: { ...events },
    heapUsedMiB: process.memoryUsage().heapUsed / 2 ** 20
  });
});
process.send('ready');
