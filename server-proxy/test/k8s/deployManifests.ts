import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadAllYaml, type KubernetesObject } from '@kubernetes/client-node';
import { REPO_ROOT } from '../helpers/service.js';

/** The kubectl that tools/k8s/build.sh built (its `kustomize` renders deploy/ without a cluster). */
export const KUBECTL = path.join(REPO_ROOT, 'tools', 'k8s', 'bin', 'kubectl');
/** deploy/ of this checkout. */
export const DEPLOY_DIR = path.join(REPO_ROOT, 'deploy');

/** The objects `kubectl kustomize DIR` renders. */
export function render(dir: string): KubernetesObject[] {
  if (!fs.existsSync(KUBECTL)) {
    throw new Error(`${KUBECTL} is missing: tools/k8s/build.sh builds it`);
  }
  return loadAllYaml(execFileSync(KUBECTL, ['kustomize', dir], { encoding: 'utf8' })) as KubernetesObject[];
}

/** The one object of a kind (and name, when given); throws when there is not exactly one. */
export function only<T extends KubernetesObject>(objects: KubernetesObject[], kind: string, name?: string): T {
  const found = objects.filter(o => o.kind === kind && (name === undefined || o.metadata?.name === name));
  if (found.length !== 1) {
    throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  }
  return found[0] as T;
}

/** What the real node's overlay needs to know. */
export interface RealNodeOverlay {
  /** Where the overlay is written (a new folder; it holds secrets). */
  dir: string;
  /** The service image (`localhost/laketahoe/service:<tag>`). */
  image: string;
  runnerImage: string;
  /** Port the service listens on, on the node's network. */
  port: number;
  /** The API server's port on loopback (the pod shares the node's network). */
  apiServerPort: number;
  /** The test PostgreSQL's socket folder, mounted into the pod at /run/postgresql. */
  postgresSocketDir: string;
  databaseUrl: string;
  s3: { endpoint: string; bucket: string; region: string; accessKeyId: string; secretAccessKey: string };
  /** token -> user of the tokens file. */
  tokens: Record<string, string>;
  tenantNamespaces: string[];
  nodeSelector: Record<string, string>;
  taintKey: string;
}

/**
 * Writes an overlay of deploy/base for the test cluster's one real node. Its pods share the node's
 * network (there is no pod network): two replicas there would listen on the same port, so it runs one
 * (the base's two replicas, PDB and spread are checked by rendering it). The service reaches the API
 * server on loopback with its service account's token, PostgreSQL through the socket folder, and the
 * runs it creates are put on the real node by an administrator pod template.
 */
export function writeRealNodeOverlay(o: RealNodeOverlay): void {
  fs.mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  const [imageName, imageTag] = [o.image.slice(0, o.image.lastIndexOf(':')), o.image.slice(o.image.lastIndexOf(':') + 1)];
  const tolerations = [{ key: o.taintKey, operator: 'Exists', effect: 'NoSchedule' }];
  fs.writeFileSync(
    path.join(o.dir, 'template.json'),
    JSON.stringify({ nodeSelector: o.nodeSelector, tolerations, hostNetwork: true })
  );
  fs.writeFileSync(path.join(o.dir, 'tokens.json'), JSON.stringify({ tokens: o.tokens }), { mode: 0o600 });
  fs.writeFileSync(
    path.join(o.dir, 'tenants.yaml'),
    o.tenantNamespaces
      .map(ns =>
        JSON.stringify({
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: 'laketahoe-service', namespace: ns },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'laketahoe-service-tenant' },
          subjects: [{ kind: 'ServiceAccount', name: 'laketahoe', namespace: 'laketahoe' }]
        })
      )
      .join('\n---\n')
  );
  const deploymentPatch = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'laketahoe', namespace: 'laketahoe' },
    spec: {
      replicas: 1,
      template: {
        spec: {
          hostNetwork: true,
          dnsPolicy: 'ClusterFirstWithHostNet',
          nodeSelector: o.nodeSelector,
          tolerations,
          containers: [
            {
              name: 'service',
              args: ['--host', '0.0.0.0', '--port', String(o.port), '--runtime-file', '/tmp/laketahoe-proxy.json'],
              // No kube-proxy on the test node: the Service address of the API server leads nowhere.
              env: [
                { name: 'KUBERNETES_SERVICE_HOST', value: '127.0.0.1' },
                { name: 'KUBERNETES_SERVICE_PORT', value: String(o.apiServerPort) }
              ],
              volumeMounts: [
                { name: 'pod-template', mountPath: '/etc/laketahoe/pod-template', readOnly: true },
                { name: 'postgres', mountPath: '/run/postgresql' }
              ]
            }
          ],
          volumes: [
            { name: 'pod-template', configMap: { name: 'laketahoe-pod-template' } },
            { name: 'postgres', hostPath: { path: o.postgresSocketDir, type: 'Directory' } }
          ]
        }
      }
    }
  };
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [path.relative(o.dir, path.join(DEPLOY_DIR, 'base')), 'tenants.yaml'],
    images: [{ name: 'localhost/laketahoe/service', newName: imageName, newTag: imageTag }],
    configMapGenerator: [
      {
        name: 'laketahoe-settings',
        namespace: 'laketahoe',
        behavior: 'merge',
        literals: [
          `LAKETAHOE_K8S_DEFAULT_IMAGE=${o.runnerImage}`,
          `LAKETAHOE_K8S_POD_TEMPLATE=/etc/laketahoe/pod-template/template.json`,
          `LAKETAHOE_S3_ENDPOINT=${o.s3.endpoint}`,
          `LAKETAHOE_S3_BUCKET=${o.s3.bucket}`,
          `LAKETAHOE_S3_REGION=${o.s3.region}`
        ]
      },
      { name: 'laketahoe-pod-template', namespace: 'laketahoe', files: ['template.json'] }
    ],
    secretGenerator: [
      { name: 'laketahoe-database', namespace: 'laketahoe', literals: [`url=${o.databaseUrl}`] },
      {
        name: 'laketahoe-object-store',
        namespace: 'laketahoe',
        literals: [`accessKeyId=${o.s3.accessKeyId}`, `secretAccessKey=${o.s3.secretAccessKey}`]
      },
      { name: 'laketahoe-tokens', namespace: 'laketahoe', files: ['tokens.json'] }
    ],
    patches: [
      { patch: JSON.stringify(deploymentPatch) },
      {
        target: { kind: 'Deployment', name: 'laketahoe' },
        patch: JSON.stringify([{ op: 'replace', path: '/spec/template/spec/containers/0/ports/0/containerPort', value: o.port }])
      }
    ]
  };
  // JSON is YAML: kustomize reads it as is.
  fs.writeFileSync(path.join(o.dir, 'kustomization.yaml'), JSON.stringify(kustomization, null, 2));
}
