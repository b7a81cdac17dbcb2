/**
 * The environment of bench row 7's Python processes: one thread everywhere, since gradmark
 * runs on one and idle BLAS threads spinning on a shared 2-core machine disturb the timings,
 * and without the OpenBLAS core-type overrides that slow numpy down on this machine (the same
 * choice as the kernels row). This process's own environment is left alone.
 */
export function torchScriptEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  for (const name of ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"]) {
    env[name] = "1";
  }
  return env;
}
