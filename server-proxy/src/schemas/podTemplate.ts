import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ServiceError } from '../errors.js';

/**
 * What a pod template may change on a Kubernetes run's pods. A closed subset of the PodSpec: where
 * pods land (node selectors, tolerations), what they mount (volumes of four kinds that cannot reach
 * the node's own files), environment from Secrets, the service account, image pull secrets and host
 * networking. Resources, commands, images and security settings stay the service's.
 */
const Name = Type.String({ minLength: 1, maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' });
const LabelMap = Type.Record(Type.String({ minLength: 1, maxLength: 317 }), Type.String({ maxLength: 63 }), { maxProperties: 64 });
const KeyToPaths = Type.Optional(
  Type.Array(Type.Object({ key: Type.String({ minLength: 1, maxLength: 253 }), path: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false }), {
    maxItems: 64
  })
);

export const Toleration = Type.Object(
  {
    key: Type.Optional(Type.String({ maxLength: 317 })),
    operator: Type.Optional(Type.Union([Type.Literal('Exists'), Type.Literal('Equal')])),
    value: Type.Optional(Type.String({ maxLength: 63 })),
    effect: Type.Optional(Type.Union([Type.Literal('NoSchedule'), Type.Literal('PreferNoSchedule'), Type.Literal('NoExecute')])),
    tolerationSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 31_536_000 }))
  },
  { additionalProperties: false }
);

export const PodVolume = Type.Object(
  {
    name: Name,
    secret: Type.Optional(Type.Object({ secretName: Name, items: KeyToPaths, optional: Type.Optional(Type.Boolean()) }, { additionalProperties: false })),
    configMap: Type.Optional(Type.Object({ name: Name, items: KeyToPaths, optional: Type.Optional(Type.Boolean()) }, { additionalProperties: false })),
    persistentVolumeClaim: Type.Optional(Type.Object({ claimName: Name, readOnly: Type.Optional(Type.Boolean()) }, { additionalProperties: false })),
    emptyDir: Type.Optional(
      Type.Object({ medium: Type.Optional(Type.Union([Type.Literal(''), Type.Literal('Memory')])), sizeLimit: Type.Optional(Type.String({ maxLength: 32 })) }, { additionalProperties: false })
    )
  },
  { additionalProperties: false, description: 'exactly one of secret, configMap, persistentVolumeClaim, emptyDir' }
);

export const PodVolumeMount = Type.Object(
  {
    name: Name,
    mountPath: Type.String({ minLength: 2, maxLength: 1024, pattern: '^/' }),
    subPath: Type.Optional(Type.String({ maxLength: 1024 })),
    readOnly: Type.Optional(Type.Boolean())
  },
  { additionalProperties: false }
);

const EnvName = Type.String({ minLength: 1, maxLength: 256, pattern: '^[A-Za-z_][A-Za-z0-9_]*$' });

export const PodEnvVar = Type.Object(
  {
    name: EnvName,
    value: Type.Optional(Type.String({ maxLength: 65536 })),
    valueFrom: Type.Optional(
      Type.Object(
        {
          secretKeyRef: Type.Object(
            { name: Name, key: Type.String({ minLength: 1, maxLength: 253 }), optional: Type.Optional(Type.Boolean()) },
            { additionalProperties: false }
          )
        },
        { additionalProperties: false }
      )
    )
  },
  { additionalProperties: false, description: 'a value, or a key of a Secret in the namespace' }
);

/** Pod settings of a run, from the administrator (service-wide) and, where allowed, from the job. */
export const PodTemplate = Type.Object(
  {
    nodeSelector: Type.Optional(LabelMap),
    tolerations: Type.Optional(Type.Array(Toleration, { maxItems: 32 })),
    volumes: Type.Optional(Type.Array(PodVolume, { maxItems: 32 })),
    volumeMounts: Type.Optional(Type.Array(PodVolumeMount, { maxItems: 32, description: "mounts of the trainer container" })),
    env: Type.Optional(Type.Array(PodEnvVar, { maxItems: 128 })),
    envFrom: Type.Optional(
      Type.Array(Type.Object({ secretRef: Type.Object({ name: Name }, { additionalProperties: false }) }, { additionalProperties: false }), { maxItems: 16 })
    ),
    serviceAccountName: Type.Optional(Name),
    imagePullSecrets: Type.Optional(Type.Array(Type.Object({ name: Name }, { additionalProperties: false }), { maxItems: 16 })),
    hostNetwork: Type.Optional(Type.Boolean({ description: "pods share the node's network (for nodes whose pods have no network of their own)" }))
  },
  { additionalProperties: false, description: 'pod settings of a Kubernetes run (tolerations, node selectors, volumes, Secrets, service account, host network)' }
);
/** A pod template. */
export type PodTemplate = Static<typeof PodTemplate>;
/** The keys a pod template may set. */
export type PodTemplateField = keyof PodTemplate;
/** Every key, in the schema's order. */
export const POD_TEMPLATE_FIELDS = Object.keys(PodTemplate.properties) as PodTemplateField[];

/** Names the runner's own mounts and variables use: a template may not shadow them. */
const RESERVED_VOLUMES = new Set(['input', 'output', 'artifacts']);
const RESERVED_MOUNT_PREFIX = '/laketahoe';
const RESERVED_ENV = /^(LAKETAHOE_|OMP_NUM_THREADS$|MKL_NUM_THREADS$|OPENBLAS_NUM_THREADS$|NUMEXPR_NUM_THREADS$|PYTHONUNBUFFERED$|TF_CONFIG$|MASTER_ADDR$|MASTER_PORT$|WORLD_SIZE$|RANK$|JOB_COMPLETION_INDEX$)/;

function invalid(field: string, message: string): ServiceError {
  return new ServiceError('invalid_argument', `${field}: ${message}`, field);
}

/**
 * Checks a pod template's shape and meaning; `prefix` is where it sits in the caller's document
 * (`trainingInput.podTemplate` or the service's template file), so errors name the exact field.
 */
export function validatePodTemplate(value: unknown, prefix: string): PodTemplate {
  const first = Value.Errors(PodTemplate, value).First();
  if (first) {
    const sub = first.path.replace(/^\//, '').split('/').filter(Boolean).map(p => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join('');
    throw invalid(`${prefix}${sub}`, first.message);
  }
  const t = value as PodTemplate;
  const volumeNames = new Set<string>();
  (t.volumes ?? []).forEach((v, i) => {
    const field = `${prefix}.volumes[${i}]`;
    const kinds = (['secret', 'configMap', 'persistentVolumeClaim', 'emptyDir'] as const).filter(k => v[k] !== undefined);
    if (kinds.length !== 1) {
      throw invalid(field, 'needs exactly one of secret, configMap, persistentVolumeClaim, emptyDir');
    }
    if (RESERVED_VOLUMES.has(v.name)) {
      throw invalid(`${field}.name`, `'${v.name}' is the runner's own volume`);
    }
    if (volumeNames.has(v.name)) {
      throw invalid(`${field}.name`, `'${v.name}' appears twice`);
    }
    volumeNames.add(v.name);
  });
  (t.volumeMounts ?? []).forEach((m, i) => {
    const field = `${prefix}.volumeMounts[${i}]`;
    if (m.mountPath === RESERVED_MOUNT_PREFIX || m.mountPath.startsWith(`${RESERVED_MOUNT_PREFIX}/`)) {
      throw invalid(`${field}.mountPath`, `${RESERVED_MOUNT_PREFIX} is the runner's own folder`);
    }
    if (m.subPath !== undefined && (m.subPath.startsWith('/') || m.subPath.split('/').includes('..'))) {
      throw invalid(`${field}.subPath`, 'must be a relative path without ..');
    }
  });
  (t.env ?? []).forEach((e, i) => {
    const field = `${prefix}.env[${i}]`;
    if (RESERVED_ENV.test(e.name)) {
      throw invalid(`${field}.name`, `${e.name} is set by the service`);
    }
    if ((e.value === undefined) === (e.valueFrom === undefined)) {
      throw invalid(field, 'needs exactly one of value and valueFrom');
    }
  });
  return t;
}

/**
 * Checks that a job's template sets only the fields the administrator lets users set; the message
 * lists them so the user knows what is possible.
 */
export function checkAllowedFields(template: PodTemplate, allowed: readonly PodTemplateField[], prefix: string): void {
  for (const key of Object.keys(template) as PodTemplateField[]) {
    if (!allowed.includes(key)) {
      const which = allowed.length ? `jobs may set only ${allowed.join(', ')}` : 'this service does not let jobs set pod settings';
      throw invalid(`${prefix}.${key}`, which);
    }
  }
}
