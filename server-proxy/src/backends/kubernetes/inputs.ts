import type { V1EnvVarSource, V1Volume } from '@kubernetes/client-node';
import type { KubePlan } from './plan.js';

/** Input files of a run: text as is, binaries base64-encoded (see packInputs). */
export type RunFiles = { text: Record<string, string>; binary: Record<string, string> };

/** Prefix of the pod annotations that carry a run's input files when they travel in the Job itself. */
export const INPUT_ANNOTATION_PREFIX = 'input.laketahoe.io/';
/**
 * Inputs up to this many bytes (with the job's own annotations) travel in the Job's pod template instead
 * of a ConfigMap, so a run is one API call instead of two. Kubernetes allows 256 KiB of annotations per
 * object; the rest is left for what admission and the Job controller add.
 */
export const INLINE_INPUT_BYTES = 128 * 1024;

const PARAMETERS_KEY = `${INPUT_ANNOTATION_PREFIX}parameters`;

/**
 * Where a run's pods read their inputs (the notebook or packages and `parameters.json`): a ConfigMap
 * named `<run>-input`, or, for small text inputs, annotations of the pod template mounted through the
 * downward API at the same paths.
 */
export interface InputSource {
  /** The `input` volume mounted at the input folder. */
  volume: V1Volume;
  /** Where `LAKETAHOE_PARAMETERS` comes from. */
  parameters: V1EnvVarSource;
  /** Annotations to add to the pod template (inline inputs only). */
  podAnnotations: Record<string, string>;
  /** The ConfigMap's data when the inputs need one. */
  configMap?: { data: Record<string, string>; binaryData?: Record<string, string> };
}

function bytes(entries: Record<string, string>): number {
  return Object.entries(entries).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
}

/** Decides how a run's inputs travel; pure, so a re-created run gets the same objects. */
export function inputSource(plan: KubePlan, base: string, files: RunFiles): InputSource {
  const data = { ...files.text, ...(plan.kind === 'notebook' ? { 'parameters.json': JSON.stringify(plan.parameters ?? {}) } : {}) };
  const binary = Object.keys(files.binary).length > 0;
  // Binary files cannot be annotation values (the downward API writes them as text).
  if (!binary && bytes(data) + bytes(plan.annotations) <= INLINE_INPUT_BYTES) {
    // Indexed keys: file names need not be valid annotation names.
    const names = Object.keys(files.text);
    const podAnnotations: Record<string, string> = plan.kind === 'notebook' ? { [PARAMETERS_KEY]: data['parameters.json']! } : {};
    names.forEach((name, i) => (podAnnotations[`${INPUT_ANNOTATION_PREFIX}file-${i}`] = files.text[name]));
    const field = (key: string) => ({ fieldPath: `metadata.annotations['${key}']` });
    const items = names.map((name, i) => ({ path: name, fieldRef: field(`${INPUT_ANNOTATION_PREFIX}file-${i}`) }));
    if (plan.kind === 'notebook') {
      items.push({ path: 'parameters.json', fieldRef: field(PARAMETERS_KEY) });
    }
    return { volume: { name: 'input', downwardAPI: { items } }, parameters: { fieldRef: field(PARAMETERS_KEY) }, podAnnotations };
  }
  const name = `${base}-input`;
  return {
    volume: { name: 'input', configMap: { name } },
    parameters: { configMapKeyRef: { name, key: 'parameters.json' } },
    podAnnotations: {},
    configMap: { data, ...(binary ? { binaryData: files.binary } : {}) }
  };
}

/** The input files a run's pod template carries inline, by file name (empty when it has a ConfigMap). */
export function inlineInputs(podAnnotations: Record<string, string> | undefined, volumes: V1Volume[] | undefined): Record<string, string> {
  const items = volumes?.find(v => v.name === 'input')?.downwardAPI?.items ?? [];
  const files: Record<string, string> = {};
  for (const item of items) {
    const key = /^metadata\.annotations\['(.*)'\]$/.exec(item.fieldRef?.fieldPath ?? '')?.[1];
    if (key && podAnnotations?.[key] !== undefined) {
      files[item.path] = podAnnotations[key];
    }
  }
  return files;
}
