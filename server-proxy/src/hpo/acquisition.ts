const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** exp(x^2) erfc(x) for x >= 0 (Numerical Recipes' erfcc; relative error < 1.2e-7). */
function erfcx(x: number): number {
  const t = 1 / (1 + 0.5 * x);
  return (
    t *
    Math.exp(
      -1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
    )
  );
}

/** Standard normal cumulative distribution function. */
export function normalCdf(z: number): number {
  // Phi(z) = 0.5 erfc(-z / sqrt 2), with erfc(x) = erfcx(x) exp(-x^2).
  const x = -z / Math.SQRT2;
  if (x >= 0) return 0.5 * erfcx(x) * Math.exp(-x * x);
  return 1 - 0.5 * erfcx(-x) * Math.exp(-x * x);
}

/**
 * log of h(z) = z Phi(z) + phi(z), the expected improvement of a unit
 * normal over a threshold z standard deviations away.
 *
 * Plain EI underflows to 0 far from the incumbent, leaving the optimizer a
 * flat surface; the log form stays informative (Ament et al., 2023,
 * "Unexpected improvements to expected improvement").
 */
export function logH(z: number): number {
  const logPhi = -0.5 * z * z - LOG_SQRT_2PI;
  if (z > -1) {
    return Math.log(z * normalCdf(z) + Math.exp(logPhi));
  }
  const a = -z;
  if (a < 8) {
    // h(z) = phi(z) (1 - a R(a)), R the Mills ratio sqrt(pi/2) erfcx(a/sqrt2).
    const r = Math.sqrt(Math.PI / 2) * erfcx(a / Math.SQRT2);
    return logPhi + Math.log(Math.max(1 - a * r, 1e-300));
  }
  // Asymptotic series of 1 - a R(a) where the subtraction above cancels.
  const a2 = a * a;
  return logPhi + Math.log((1 / a2) * (1 - 3 / a2 + 15 / (a2 * a2)));
}

/**
 * log expected improvement below `best` for a Gaussian prediction
 * (minimization).
 */
export function logExpectedImprovement(mean: number, variance: number, best: number): number {
  const sd = Math.sqrt(variance);
  return Math.log(sd) + logH((best - mean) / sd);
}
