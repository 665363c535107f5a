const PRIMES = [
  2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113,
  127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179, 181, 191, 193, 197, 199, 211, 223, 227, 229
];

/**
 * Point `index` of a Halton sequence in `dim` dimensions, rotated by `shift`
 * (Cranley-Patterson: the same shift for every index of one job, so the
 * points keep their low discrepancy while differing between jobs).
 *
 * A quasi-random initial design covers the space more evenly than random
 * points, which matters when only a handful of trials precede the model.
 * Index 0 is skipped by callers' convention of starting at 1, because the
 * unshifted origin is a corner of the box.
 */
export function haltonPoint(index: number, dim: number, shift: readonly number[]): number[] {
  const out: number[] = [];
  for (let d = 0; d < dim; d++) {
    // Beyond the table, fall back to a large prime stride; such spaces are
    // rare and the shift keeps the points distinct.
    const base = PRIMES[d] ?? 233 + 2 * d;
    let f = 1;
    let r = 0;
    let i = index;
    while (i > 0) {
      f /= base;
      r += f * (i % base);
      i = Math.floor(i / base);
    }
    const v = r + (shift[d] ?? 0);
    out.push(v - Math.floor(v));
  }
  return out;
}
