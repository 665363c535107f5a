/**
 * The environment handed to the processes that run user code on this machine: runners (and the kernels
 * they start) and model servers. Built from an allowlist, not by removing known secrets: the service's
 * own environment may hold its token (`LAKETAHOE_TOKEN`), a tokens file's location, cloud credentials
 * or a Kubernetes service account, none of which a job may inherit.
 */

/** Variables passed through by exact name. */
const PASSED = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TERM',
  'TMPDIR',
  'TMP',
  'TEMP',
  'PYTHONPATH',
  'PYTHONHASHSEED',
  'VIRTUAL_ENV',
  'CONDA_PREFIX',
  'CONDA_DEFAULT_ENV',
  'CONDA_EXE',
  'JUPYTER_PATH',
  'JUPYTER_DATA_DIR',
  'JUPYTER_CONFIG_DIR',
  'IPYTHONDIR',
  'XDG_CACHE_HOME',
  'XDG_CONFIG_HOME',
  'XDG_DATA_HOME',
  'LD_LIBRARY_PATH',
  'CUDA_HOME',
  'CUDA_PATH',
  'MPLBACKEND',
  'MPLCONFIGDIR',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'REQUESTS_CA_BUNDLE',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy'
]);

/** Variables passed through by prefix (locale categories, NVIDIA container settings). */
const PASSED_PREFIXES = ['LC_', 'NVIDIA_'];

/**
 * The part of `base` a child running user code may see: see {@link PASSED}. Everything else, and
 * in particular `LAKETAHOE_*`, `KUBERNETES_*`, `KUBECONFIG`, `AWS_*`, `GOOGLE_*` and `AZURE_*`, is left out.
 */
export function childEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) {
    if (value !== undefined && (PASSED.has(name) || PASSED_PREFIXES.some(p => name.startsWith(p)))) {
      env[name] = value;
    }
  }
  return env;
}
