/**
 * Matern 5/2 kernels over the unit-cube features, in two structures:
 *
 * - product: one Matern of the ARD-scaled distance over all features (the
 *   usual choice; models interactions between parameters);
 * - additive: the mean of one-dimensional Matern kernels, one per feature
 *   (Duvenaud et al., 2011; Kandasamy et al., 2015). It assumes the
 *   objective is roughly a sum of per-parameter effects, and in exchange
 *   every observation informs every parameter's effect: with 60 trials the
 *   model sees each one-dimensional shape at 60 points, enough to resolve
 *   ripples a product kernel must treat as noise.
 *
 * The fit tries both and keeps the one with the higher posterior density.
 */

const SQRT5 = Math.sqrt(5);

/** How the per-feature kernels combine. */
export type KernelKind = 'product' | 'additive';

/** Matern 5/2 correlation as a function of the scaled distance r. */
export function matern52(r: number): number {
  return (1 + SQRT5 * r + (5 / 3) * r * r) * Math.exp(-SQRT5 * r);
}

/** Covariance between two feature vectors. */
export function kernelValue(kind: KernelKind, a: ArrayLike<number>, b: ArrayLike<number>, invLs2: Float64Array, amp: number): number {
  const dim = invLs2.length;
  if (kind === 'additive') {
    let s = 0;
    for (let d = 0; d < dim; d++) s += matern52(Math.abs(a[d] - b[d]) * Math.sqrt(invLs2[d]));
    return (amp * s) / dim;
  }
  let r2 = 0;
  for (let d = 0; d < dim; d++) {
    const diff = a[d] - b[d];
    r2 += diff * diff * invLs2[d];
  }
  return amp * matern52(Math.sqrt(r2));
}

/**
 * Covariance of one pair from its squared per-feature differences
 * (`pairs[offset + d]`), writing d k / d log(lengthscale_d) into
 * `dLogLs[offset + d]` for the likelihood's gradient.
 */
export function pairCovariance(
  kind: KernelKind,
  pairs: Float64Array,
  offset: number,
  invLs2: Float64Array,
  amp: number,
  dLogLs: Float64Array
): number {
  const dim = invLs2.length;
  if (kind === 'additive') {
    let s = 0;
    const scale = amp / dim;
    for (let d = 0; d < dim; d++) {
      const r2 = pairs[offset + d] * invLs2[d];
      const r = Math.sqrt(r2);
      const e = Math.exp(-SQRT5 * r);
      s += (1 + SQRT5 * r + (5 / 3) * r2) * e;
      // d matern52 / d log l = (5/3) r^2 (1 + sqrt5 r) e^{-sqrt5 r}.
      dLogLs[offset + d] = scale * (5 / 3) * r2 * (1 + SQRT5 * r) * e;
    }
    return scale * s;
  }
  let r2 = 0;
  for (let d = 0; d < dim; d++) r2 += pairs[offset + d] * invLs2[d];
  const r = Math.sqrt(r2);
  const e = Math.exp(-SQRT5 * r);
  const g = (5 / 3) * amp * (1 + SQRT5 * r) * e;
  for (let d = 0; d < dim; d++) dLogLs[offset + d] = g * pairs[offset + d] * invLs2[d];
  return amp * (1 + SQRT5 * r + (5 / 3) * r2) * e;
}
