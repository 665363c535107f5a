/**
 * Seeded pseudo-random numbers for the search algorithms.
 *
 * Suggestions must be reproducible from a job's seed (so a restarted service
 * proposes the same trials and tests are deterministic); `Math.random` cannot
 * be seeded, hence this small generator.
 */

/** A seeded source of uniform random numbers with a few derived helpers. */
export interface Rng {
  /** A uniform float in [0, 1). */
  next(): number;
  /** A uniform integer in [0, n). */
  int(n: number): number;
  /** A standard normal variate. */
  normal(): number;
}

/** FNV-1a over the string's UTF-16 code units: turns a text seed into 32 bits. */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Creates a xoshiro128** generator seeded through splitmix32.
 *
 * xoshiro128** is chosen over mulberry32 for its 2^128 period: a long HPO
 * job draws many thousands of candidates per suggestion.
 *
 * @param seed - A number (only its low 32 bits matter) or any string, for
 *   example `${jobId}/${trialCount}`.
 */
export function createRng(seed: number | string): Rng {
  let x = typeof seed === 'string' ? hashString(seed) : seed >>> 0;
  const splitmix = (): number => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let s0 = splitmix();
  let s1 = splitmix();
  let s2 = splitmix();
  let s3 = splitmix();
  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };
  let spare: number | null = null;
  const rng: Rng = {
    next: () => nextU32() / 4294967296,
    int: (n: number) => Math.floor((nextU32() / 4294967296) * n),
    normal: () => {
      if (spare !== null) {
        const v = spare;
        spare = null;
        return v;
      }
      // Box-Muller; 1 - u keeps the logarithm finite.
      const u = 1 - rng.next();
      const v = rng.next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    }
  };
  return rng;
}

function rotl(v: number, k: number): number {
  return (v << k) | (v >>> (32 - k));
}
