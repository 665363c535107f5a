import fs from 'node:fs';
import path from 'node:path';
import { ServiceError } from '../errors.js';
import { FRAMEWORK_RUNTIMES, RESOURCE_NAME_PATTERN, type Framework } from '../schemas/serving.js';

/** The files of a saved model folder, as `laketahoe.save_model` writes them (docs/contracts.md). */
export const MANIFEST_FILE = 'laketahoe-model.json';
export const SETTINGS_FILE = 'model-settings.json';
export const BASELINE_FILE = 'baseline.json';

const TASKS = ['classification', 'regression'];

/** A saved model folder that passed validation. */
export interface SavedModel {
  /** Absolute, symlinks resolved. */
  dir: string;
  /** Relative to rootDir. */
  relDir: string;
  name: string;
  framework: Framework;
  frameworkVersion: string;
  task: string;
  /** The model file, relative to the folder. */
  artifact: string;
  signature: unknown;
  hasBaseline: boolean;
  /** MLServer's model settings as saved. */
  settings: Record<string, unknown>;
}

/** A 400 blaming the request's `path` field, with the file and the field inside it in the message. */
function invalid(file: string, message: string): ServiceError {
  return new ServiceError('invalid_argument', `${file}: ${message}`, 'path');
}

/**
 * `rel` resolved inside the folder `dir` (absolute, symlinks resolved): 'missing' when there is no such
 * file, 'outside' when it, or a link on the way, leads out of the folder. Nothing outside the folder
 * (another user's files) may be read or handed to the model server.
 */
function resolveInside(dir: string, rel: string): string | 'missing' | 'outside' {
  let abs: string;
  try {
    abs = fs.realpathSync(path.resolve(dir, rel));
  } catch {
    return 'missing';
  }
  if (!abs.startsWith(dir + path.sep)) {
    return 'outside';
  }
  return fs.statSync(abs).isFile() ? abs : 'missing';
}

function readJson(dir: string, file: string): Record<string, unknown> {
  const abs = resolveInside(dir, file);
  if (abs === 'outside') {
    throw invalid(file, 'must be a file inside the model folder');
  }
  if (abs === 'missing') {
    throw invalid(file, 'is missing: not a saved model folder');
  }
  const text = fs.readFileSync(abs, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw invalid(file, `is not valid JSON: ${(err as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(file, 'must hold a JSON object');
  }
  return value as Record<string, unknown>;
}

/** A file named by the manifest or the settings: inside the folder and present. */
function fileInside(dir: string, file: string, field: string, rel: unknown): string {
  if (typeof rel !== 'string' || rel === '') {
    throw invalid(file, `${field} must be a file name`);
  }
  const abs = resolveInside(dir, rel);
  if (abs === 'outside') {
    throw invalid(file, `${field} must name a file inside the model folder`);
  }
  if (abs === 'missing') {
    throw invalid(file, `${field}: ${rel} does not exist`);
  }
  return path.relative(dir, abs);
}

/** Resolves `relPath` inside rootDir; 404 when missing, 400 when it leaves rootDir. */
export function resolveModelFolder(rootDir: string, relPath: string): { dir: string; relDir: string } {
  const root = fs.realpathSync(rootDir);
  const wanted = path.resolve(root, relPath);
  if (wanted !== root && !wanted.startsWith(root + path.sep)) {
    throw new ServiceError('invalid_argument', 'path must stay inside the root directory', 'path');
  }
  let dir: string;
  try {
    dir = fs.realpathSync(wanted);
  } catch {
    throw new ServiceError('not_found', `model folder ${relPath} not found`);
  }
  if (!dir.startsWith(root + path.sep) || !fs.statSync(dir).isDirectory()) {
    throw new ServiceError('not_found', `model folder ${relPath} not found`);
  }
  return { dir, relDir: path.relative(root, dir) };
}

/**
 * Reads and checks a saved model folder: the manifest, MLServer's settings (their runtime must match the
 * framework, their uri the artifact) and whether a drift baseline is there. `name` overrides the
 * manifest's model name.
 */
export function readSavedModel(rootDir: string, relPath: string, name?: string): SavedModel {
  const { dir, relDir } = resolveModelFolder(rootDir, relPath);
  const manifest = readJson(dir, MANIFEST_FILE);
  const finalName = name ?? manifest.name;
  if (typeof finalName !== 'string' || !new RegExp(RESOURCE_NAME_PATTERN).test(finalName)) {
    throw invalid(MANIFEST_FILE, `name must match ${RESOURCE_NAME_PATTERN}`);
  }
  const framework = manifest.framework;
  if (typeof framework !== 'string' || !(framework in FRAMEWORK_RUNTIMES)) {
    throw invalid(MANIFEST_FILE, `framework must be one of ${Object.keys(FRAMEWORK_RUNTIMES).join(', ')}`);
  }
  if (manifest.frameworkVersion !== undefined && typeof manifest.frameworkVersion !== 'string') {
    throw invalid(MANIFEST_FILE, 'frameworkVersion must be a string');
  }
  if (typeof manifest.task !== 'string' || !TASKS.includes(manifest.task)) {
    throw invalid(MANIFEST_FILE, `task must be one of ${TASKS.join(', ')}`);
  }
  const signature = manifest.signature as { inputs?: unknown } | undefined;
  if (!signature || typeof signature !== 'object' || !Array.isArray(signature.inputs)) {
    throw invalid(MANIFEST_FILE, 'signature.inputs must be a list');
  }
  const artifact = fileInside(dir, MANIFEST_FILE, 'artifact', manifest.artifact);

  const settings = readJson(dir, SETTINGS_FILE);
  const runtime = FRAMEWORK_RUNTIMES[framework as Framework];
  if (settings.implementation !== runtime) {
    throw invalid(SETTINGS_FILE, `implementation must be ${runtime} for a ${framework} model`);
  }
  const parameters = settings.parameters as { uri?: unknown } | undefined;
  if (!parameters || typeof parameters !== 'object') {
    throw invalid(SETTINGS_FILE, 'parameters.uri must name the model file');
  }
  if (fileInside(dir, SETTINGS_FILE, 'parameters.uri', parameters.uri) !== artifact) {
    throw invalid(SETTINGS_FILE, `parameters.uri must be the manifest's artifact ${artifact}`);
  }
  const baseline = resolveInside(dir, BASELINE_FILE);
  if (baseline === 'outside') {
    throw invalid(BASELINE_FILE, 'must be a file inside the model folder');
  }
  return {
    dir,
    relDir,
    name: finalName,
    framework: framework as Framework,
    frameworkVersion: (manifest.frameworkVersion as string | undefined) ?? '',
    task: manifest.task,
    artifact,
    signature,
    hasBaseline: baseline !== 'missing',
    settings
  };
}
