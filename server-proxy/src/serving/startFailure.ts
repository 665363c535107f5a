/**
 * Why a model server did not start. A missing `mlserver` is the usual first-run case of an installed package
 * (MLServer lives in its own environment, never in the notebook's), so that message says how to create it.
 */
export function cannotStart(mlserver: string, err: Error & { code?: string }): string {
  if (err.code === 'ENOENT') {
    return (
      `MLServer not found at ${mlserver}: create the serving environment with \`laketahoe serving-env create\` ` +
      '(or `make serving-env` in a checkout), or point --mlserver / LAKETAHOE_MLSERVER at an mlserver executable'
    );
  }
  return `cannot start ${mlserver}: ${err.message}`;
}
