import { ServiceError } from '../errors.js';
import { isParameterName, PARAMETER_NAME_RULE } from '../pythonNames.js';
import { planEnv, type EnvPlan } from './env.js';
import { resolveInRoot } from './paths.js';
import { parseDurationMs, requestedResources, type Capacity, type Resources } from './resources.js';
import type { Priority, TrainingInput } from '../schemas/jobs.js';

/** A local file the job needs, with the request field it came from (for error messages). */
export interface InputFile {
  field: string;
  absPath: string;
}

/** What a validated submission asks the backend to run. */
export interface RunPlan {
  kind: 'notebook' | 'module';
  /** The notebook (notebook form). */
  notebook?: InputFile & { parameters: Record<string, unknown>; includeFolder: boolean };
  /** The Python module (module form). */
  module?: string;
  /** Source distributions to install or put on the path (module form). */
  packages: InputFile[];
  /** Arguments passed to the module, with `--module-name`/`--packages` taken out. */
  moduleArgs: string[];
  /** Validated `jobDir`, if given. */
  jobDir?: string;
  resources: Resources;
  priority: Priority;
  maxRunningMs?: number;
  /** Variables and secret references of `trainingInput.env`. */
  env: EnvPlan;
  /** Notebook form: the kernelspec asked for (`kernelName`, else the notebook's own) and the fallback. */
  kernel?: { name?: string; fallback?: string };
}

/** Accepts plain or `file://` paths; anything with another scheme cannot be read by the local backend. */
function localPath(uri: string, field: string): string {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(uri);
  if (!scheme) {
    return uri;
  }
  if (scheme[1].toLowerCase() === 'file') {
    return decodeURIComponent(uri.slice('file://'.length));
  }
  throw new ServiceError(
    'invalid_argument',
    `${field}: ${scheme[1]}:// URIs are not supported by the local backend; use a path relative to the root directory`,
    field
  );
}

/** Splits `--module-name X` / `--packages a,b` (and their `=` forms) out of AI Platform style args. */
export function splitModuleArgs(args: string[]): {
  moduleName?: { value: string; index: number };
  packages: { value: string; index: number }[];
  rest: string[];
} {
  const rest: string[] = [];
  let moduleName: { value: string; index: number } | undefined;
  const packages: { value: string; index: number }[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const m = /^--(module-name|packages)(?:=(.*))?$/.exec(arg);
    if (!m) {
      rest.push(arg);
      continue;
    }
    let value = m[2];
    let index = i;
    if (value === undefined) {
      if (i + 1 >= args.length) {
        throw new ServiceError('invalid_argument', `trainingInput.args.${i}: --${m[1]} needs a value`, `trainingInput.args.${i}`);
      }
      value = args[++i];
      index = i;
    }
    if (m[1] === 'module-name') {
      moduleName = { value, index };
    } else {
      for (const p of value.split(',').filter(s => s !== '')) {
        packages.push({ value: p, index });
      }
    }
  }
  return { moduleName, packages, rest };
}

const MODULE_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/**
 * Checks what the schema cannot: exactly one of notebook and module form, local paths inside the root,
 * and resources the machine can ever provide. Returns the plan the backend will run.
 */
export function planJob(input: TrainingInput, rootDir: string, capacity: Capacity | undefined): RunPlan {
  const resources = requestedResources(input, capacity);
  const split = splitModuleArgs(input.args ?? []);
  const moduleFromArgs = split.moduleName;
  const hasModule = Boolean(input.pythonModule) || moduleFromArgs !== undefined;
  if (input.notebook && hasModule) {
    throw new ServiceError(
      'invalid_argument',
      'trainingInput: give either notebook or pythonModule (--module-name), not both',
      'trainingInput.notebook'
    );
  }
  if (!input.notebook && !hasModule) {
    throw new ServiceError(
      'invalid_argument',
      'trainingInput: one of notebook or pythonModule (--module-name) is required',
      'trainingInput.notebook'
    );
  }
  const plan: RunPlan = {
    kind: input.notebook ? 'notebook' : 'module',
    packages: [],
    moduleArgs: [],
    resources,
    priority: input.priority ?? 'middle',
    maxRunningMs: parseDurationMs(input.scheduling?.maxRunningTime),
    env: planEnv(input.env)
  };
  if (!input.notebook && (input.kernelName || input.kernelFallback)) {
    const field = input.kernelName ? 'trainingInput.kernelName' : 'trainingInput.kernelFallback';
    throw new ServiceError('invalid_argument', `${field}: only notebook jobs run on a kernel`, field);
  }
  if (input.jobDir) {
    plan.jobDir = resolveInRoot(rootDir, localPath(input.jobDir, 'trainingInput.jobDir'), 'trainingInput.jobDir');
  }
  if (input.notebook) {
    const field = 'trainingInput.notebook.path';
    if (!input.notebook.path.endsWith('.ipynb')) {
      throw new ServiceError('invalid_argument', `${field}: must name an .ipynb file`, field);
    }
    for (const name of Object.keys(input.notebook.parameters ?? {})) {
      const shown = JSON.stringify(name.slice(0, 100));
      if (!isParameterName(name)) {
        const nameField = `trainingInput.notebook.parameters.${name}`;
        throw new ServiceError('invalid_argument', `${nameField}: ${shown} ${PARAMETER_NAME_RULE}`, nameField);
      }
    }
    plan.notebook = {
      field,
      absPath: resolveInRoot(rootDir, input.notebook.path, field),
      parameters: input.notebook.parameters ?? {},
      includeFolder: input.notebook.includeFolder ?? false
    };
    plan.kernel = { name: input.kernelName, fallback: input.kernelFallback };
    plan.moduleArgs = input.args ?? [];
    return plan;
  }
  const moduleName = input.pythonModule || moduleFromArgs!.value;
  const moduleField = input.pythonModule ? 'trainingInput.pythonModule' : `trainingInput.args.${moduleFromArgs!.index}`;
  if (!MODULE_PATTERN.test(moduleName)) {
    throw new ServiceError('invalid_argument', `${moduleField}: '${moduleName}' is not a Python module name`, moduleField);
  }
  plan.module = moduleName;
  const uris = [
    ...(input.packageUris ?? []).map((value, i) => ({ value, field: `trainingInput.packageUris.${i}` })),
    ...split.packages.map(p => ({ value: p.value, field: `trainingInput.args.${p.index}` }))
  ];
  plan.packages = uris.map(u => ({ field: u.field, absPath: resolveInRoot(rootDir, localPath(u.value, u.field), u.field) }));
  plan.moduleArgs = split.rest;
  return plan;
}
