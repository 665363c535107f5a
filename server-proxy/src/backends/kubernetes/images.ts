import { ServiceError } from '../../errors.js';
import type { TrainingInput } from '../../schemas/jobs.js';

/** One image the administrator offers (`--k8s-images name=ref,...`). */
export interface ImageChoice {
  name: string;
  image: string;
}

/** Which images Kubernetes jobs may run. */
export interface ImagePolicy {
  /** Offered images, by short name; empty when the administrator lists none. */
  images: ImageChoice[];
  /** Whether any other image reference may be typed in. */
  allowAnyImage: boolean;
}

/** Reads `--k8s-images`: `name=registry/ref:tag` entries, comma-separated. */
export function parseImageList(text: string | undefined): ImageChoice[] {
  if (!text) {
    return [];
  }
  return text
    .split(',')
    .map(s => s.trim())
    .filter(Boolean)
    .map(entry => {
      const at = entry.indexOf('=');
      const name = entry.slice(0, at);
      const image = entry.slice(at + 1);
      if (at <= 0 || !image || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name) || /\s/.test(image)) {
        throw new Error(`k8s-images: '${entry}' is not name=image`);
      }
      return { name, image };
    });
}

const REPLICAS = ['masterConfig', 'workerConfig', 'parameterServerConfig'] as const;

/**
 * `trainingInput` with each replica's `imageUri` turned into the image reference to run: an offered
 * name maps to its image, an offered image stays, anything else needs free entry (else a 400 naming the
 * field and listing the names). Returns a copy; the job keeps what the user wrote.
 */
export function resolveImages(input: TrainingInput, policy: ImagePolicy): TrainingInput {
  const resolved: TrainingInput = { ...input };
  for (const key of REPLICAS) {
    const config = input[key];
    const asked = config?.imageUri;
    if (!config || !asked) {
      continue;
    }
    const offered = policy.images.find(i => i.name === asked || i.image === asked);
    if (!offered && !policy.allowAnyImage) {
      const field = `trainingInput.${key}.imageUri`;
      const names = policy.images.map(i => i.name).join(', ');
      throw new ServiceError('invalid_argument', `${field}: '${asked}' is not an offered image (offered: ${names})`, field);
    }
    resolved[key] = { ...config, imageUri: offered ? offered.image : asked };
  }
  return resolved;
}
