import type { V1Container, V1PodSpec } from '@kubernetes/client-node';
import { ServiceError } from '../../errors.js';
import type { PodTemplate } from '../../schemas/podTemplate.js';

/**
 * The template a run's pods get: the administrator's, then the job's on top. Lists add up (a job
 * cannot remove the administrator's tolerations or volumes); node selector keys the administrator set
 * stay his; the service account and host networking are the job's only where the administrator set none.
 */
export function mergePodTemplates(admin: PodTemplate | undefined, job: PodTemplate | undefined, jobField: string): PodTemplate | undefined {
  if (!admin && !job) {
    return undefined;
  }
  const a = admin ?? {};
  const j = job ?? {};
  for (const key of Object.keys(j.nodeSelector ?? {})) {
    if (a.nodeSelector && key in a.nodeSelector && a.nodeSelector[key] !== j.nodeSelector![key]) {
      throw new ServiceError('invalid_argument', `${jobField}.nodeSelector.${key}: set by the administrator to '${a.nodeSelector[key]}'`, `${jobField}.nodeSelector`);
    }
  }
  const adminVolumes = new Set((a.volumes ?? []).map(v => v.name));
  (j.volumes ?? []).forEach((v, i) => {
    if (adminVolumes.has(v.name)) {
      throw new ServiceError('invalid_argument', `${jobField}.volumes[${i}].name: '${v.name}' is a volume of the administrator's template`, `${jobField}.volumes[${i}].name`);
    }
  });
  const merged: PodTemplate = {
    nodeSelector: { ...j.nodeSelector, ...a.nodeSelector },
    tolerations: [...(a.tolerations ?? []), ...(j.tolerations ?? [])],
    volumes: [...(a.volumes ?? []), ...(j.volumes ?? [])],
    volumeMounts: [...(a.volumeMounts ?? []), ...(j.volumeMounts ?? [])],
    env: [...(a.env ?? []), ...(j.env ?? [])],
    envFrom: [...(a.envFrom ?? []), ...(j.envFrom ?? [])],
    imagePullSecrets: [...(a.imagePullSecrets ?? []), ...(j.imagePullSecrets ?? [])],
    serviceAccountName: a.serviceAccountName ?? j.serviceAccountName,
    hostNetwork: a.hostNetwork ?? j.hostNetwork
  };
  const mounted = new Set(merged.volumes!.map(v => v.name));
  (j.volumeMounts ?? []).forEach((m, i) => {
    if (!mounted.has(m.name)) {
      throw new ServiceError('invalid_argument', `${jobField}.volumeMounts[${i}].name: no volume named '${m.name}'`, `${jobField}.volumeMounts[${i}].name`);
    }
  });
  // Drop what stayed empty so the manifests carry no noise.
  for (const key of Object.keys(merged) as (keyof PodTemplate)[]) {
    const v = merged[key];
    if (v === undefined || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0)) {
      delete merged[key];
    }
  }
  return merged;
}

/** Puts a template onto a pod spec and its trainer container (after the service's own settings). */
export function applyPodTemplate(pod: V1PodSpec, trainer: V1Container, t: PodTemplate | undefined): void {
  if (!t) {
    return;
  }
  if (t.nodeSelector) {
    pod.nodeSelector = { ...t.nodeSelector, ...pod.nodeSelector };
  }
  if (t.tolerations) {
    pod.tolerations = [...(pod.tolerations ?? []), ...t.tolerations];
  }
  if (t.volumes) {
    pod.volumes = [...(pod.volumes ?? []), ...t.volumes];
  }
  if (t.volumeMounts) {
    trainer.volumeMounts = [...(trainer.volumeMounts ?? []), ...t.volumeMounts];
  }
  if (t.env) {
    trainer.env = [...(trainer.env ?? []), ...t.env];
  }
  if (t.envFrom) {
    trainer.envFrom = [...(trainer.envFrom ?? []), ...t.envFrom];
  }
  if (t.imagePullSecrets) {
    pod.imagePullSecrets = t.imagePullSecrets;
  }
  if (t.serviceAccountName) {
    pod.serviceAccountName = t.serviceAccountName;
  }
  if (t.hostNetwork) {
    pod.hostNetwork = true;
    // Cluster DNS names keep resolving from the node's network.
    pod.dnsPolicy = 'ClusterFirstWithHostNet';
  }
}
