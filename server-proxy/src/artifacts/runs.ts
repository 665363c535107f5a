import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ArtifactNotFoundError, type ArtifactStore } from './store.js';
import { extractTar, type ExtractLimits } from './tar.js';

/**
 * A run's objects in the artifact store and how they come back: the runner in a pod uploads its outputs
 * with URLs that grant one key each, the manifest last; the service then fetches the manifest, checks
 * every object against it and unpacks them into the run's local folder, where the same routes and the
 * model registry find them as they find a local run's.
 */

/** Objects a run uploads; `manifest.json` is written last and commits the others. */
export const OUTPUT_OBJECTS = ['output.ipynb', 'output.html', 'outputs.tar'] as const;
/** The commit marker of a run's outputs. */
export const MANIFEST = 'manifest.json';
/** The run's input snapshot (includeFolder files, packages), uploaded by the service at submit. */
export const INPUTS = 'inputs.tar';

/** One key segment from any string: characters outside `[A-Za-z0-9._@+-]` become `=HH` (UTF-8 bytes). */
export function keySegment(value: string): string {
  const out = Array.from(Buffer.from(value, 'utf8'))
    .map(b => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9._@+-]/.test(c) ? c : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
  return out === '.' || out === '..' ? out.replace(/\./g, '=2E') : out;
}

/** `runs/<owner>/<jobId>[/trials/<trialId>]/`: every object of one run lives below it. */
export function runPrefix(owner: string, runId: string): string {
  return `runs/${keySegment(owner)}/${runId.split('/').map(keySegment).join('/')}/`;
}

/** The file a pod reads its grants from: presigned URLs, one per key and method. */
export interface RunGrant {
  version: 1;
  /** PUT URLs for the outputs, by object name ({@link OUTPUT_OBJECTS} and {@link MANIFEST}). */
  outputs: Record<string, string>;
  /** GET URL of the input snapshot, to unpack into the working folder before the run starts. */
  inputs?: string;
  /** When the URLs stop working (ISO time). */
  expires: string;
}

/**
 * Presigned URLs for exactly one run's keys: PUT for its outputs, GET for its input snapshot
 * (`inputsKey`, which a trial shares with its job). They carry no credentials of their own and grant
 * nothing else: another run's or another user's keys are refused by the store.
 */
export async function runGrant(store: ArtifactStore, owner: string, runId: string, inputsKey: string | undefined, expiresSeconds: number): Promise<RunGrant> {
  if (!store.presign) {
    throw new Error(`the ${store.kind} artifact store cannot grant per-run URLs; pods need an object store`);
  }
  const prefix = runPrefix(owner, runId);
  const outputs: Record<string, string> = {};
  for (const name of [...OUTPUT_OBJECTS, MANIFEST]) {
    outputs[name] = await store.presign(prefix + name, 'PUT', expiresSeconds);
  }
  const grant: RunGrant = { version: 1, outputs, expires: new Date(Date.now() + expiresSeconds * 1000).toISOString() };
  if (inputsKey) {
    grant.inputs = await store.presign(inputsKey, 'GET', expiresSeconds);
  }
  return grant;
}

/** What the runner's manifest says of one object. */
interface ManifestEntry {
  size: number;
  sha256: string;
}

/** Why a run's outputs cannot be taken in; the message is shown as the job's reason. */
export class IngestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IngestError';
  }
}

/** What an ingest put into the run's folder. */
export interface IngestResult {
  outputNotebook: boolean;
  outputHtml: boolean;
  /** Files unpacked from outputs.tar. */
  files: number;
  bytes: number;
  /** Saved model folders (`models/<name>/`) the manifest lists and the run folder now holds. */
  models: string[];
}

/** Limits of one run's outputs. */
export type IngestLimits = ExtractLimits;

const DONE_FILE = '.outputs-ingested.json';
const STAGING = '.outputs-ingest';

/** Names `laketahoe.save_model` accepts (see MODEL_NAME in laketahoe/runner/events.py). */
const MODEL_NAME = /^[a-z][a-z0-9-]{0,62}$/;

function parseManifest(raw: Buffer): { files: Record<string, ManifestEntry>; models: string[] } {
  let doc: { version?: unknown; files?: Record<string, { size?: unknown; sha256?: unknown }>; models?: unknown };
  try {
    doc = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new IngestError('manifest.json is not valid JSON');
  }
  if (doc?.version !== 1 || typeof doc.files !== 'object' || doc.files === null) {
    throw new IngestError('manifest.json is not a version 1 manifest');
  }
  const files: Record<string, ManifestEntry> = {};
  for (const [name, entry] of Object.entries(doc.files)) {
    if (!(OUTPUT_OBJECTS as readonly string[]).includes(name)) {
      throw new IngestError(`manifest.json names an unknown object '${name}'`);
    }
    if (typeof entry?.size !== 'number' || !Number.isSafeInteger(entry.size) || entry.size < 0 || typeof entry.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(entry.sha256)) {
      throw new IngestError(`manifest.json: the entry of ${name} needs a size and a sha256`);
    }
    files[name] = { size: entry.size, sha256: entry.sha256 };
  }
  const models = Array.isArray(doc.models) ? doc.models.filter((m): m is string => typeof m === 'string' && MODEL_NAME.test(m)) : [];
  return { files, models };
}

/**
 * Brings a run's uploaded outputs into `workdir`: the manifest first (none: nothing was committed), then
 * each object it lists, checked against its size and SHA-256, then outputs.tar unpacked safely. Nothing
 * lands in `workdir` before every check passed, so a half upload is never seen (nor its models
 * registered). Idempotent: a second call for the same manifest is answered from a marker file, and a
 * call interrupted by a restart starts over from a clean staging folder.
 */
export async function ingestRun(store: ArtifactStore, owner: string, runId: string, workdir: string, limits: IngestLimits): Promise<IngestResult> {
  const prefix = runPrefix(owner, runId);
  let raw: Buffer;
  try {
    raw = await store.read(prefix + MANIFEST, 1024 * 1024);
  } catch (err) {
    if (err instanceof ArtifactNotFoundError) {
      throw new IngestError('the run uploaded no outputs (manifest.json is missing)');
    }
    throw err;
  }
  const digest = crypto.createHash('sha256').update(raw).digest('hex');
  const done = path.join(workdir, DONE_FILE);
  try {
    const marker = JSON.parse(fs.readFileSync(done, 'utf8')) as { manifest: string; result: IngestResult };
    if (marker.manifest === digest) {
      return marker.result;
    }
  } catch {
    // No marker (or a broken one): ingest.
  }
  const { files: manifest, models } = parseManifest(raw);
  const total = Object.values(manifest).reduce((n, e) => n + e.size, 0);
  if (total > limits.maxBytes) {
    throw new IngestError(`the outputs are ${total} bytes; at most ${limits.maxBytes} are taken in`);
  }
  fs.mkdirSync(workdir, { recursive: true });
  const staging = path.join(workdir, STAGING);
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging);
  try {
    for (const [name, entry] of Object.entries(manifest)) {
      let got: { size: number; sha256: string };
      try {
        got = await store.download(prefix + name, path.join(staging, name), entry.size);
      } catch (err) {
        if (err instanceof ArtifactNotFoundError) {
          throw new IngestError(`${name} is listed in manifest.json but was not uploaded`);
        }
        if ((err as Error).name === 'ArtifactTooLargeError') {
          throw new IngestError(`${name} is larger than manifest.json says (${entry.size} bytes)`);
        }
        throw err;
      }
      if (got.size !== entry.size || got.sha256 !== entry.sha256) {
        throw new IngestError(`${name} does not match manifest.json (size ${got.size}, sha256 ${got.sha256.slice(0, 12)}…; expected ${entry.size}, ${entry.sha256.slice(0, 12)}…)`);
      }
    }
    let files = 0;
    let bytes = 0;
    const tree = path.join(staging, 'tree');
    if (manifest['outputs.tar']) {
      try {
        const unpacked = extractTar(path.join(staging, 'outputs.tar'), tree, limits);
        files = unpacked.files.length;
        bytes = unpacked.bytes;
      } catch (err) {
        throw new IngestError(`outputs.tar: ${(err as Error).message}`);
      }
    } else {
      fs.mkdirSync(tree);
    }
    // Everything checked: move it in. The separately uploaded notebook and HTML win over copies in the tar.
    for (const entry of fs.readdirSync(tree)) {
      if (entry === DONE_FILE || entry === STAGING || (OUTPUT_OBJECTS as readonly string[]).includes(entry)) {
        continue;
      }
      fs.rmSync(path.join(workdir, entry), { recursive: true, force: true });
      fs.renameSync(path.join(tree, entry), path.join(workdir, entry));
    }
    const result: IngestResult = {
      outputNotebook: false,
      outputHtml: false,
      files,
      bytes,
      models: models.filter(m => fs.lstatSync(path.join(workdir, 'models', m), { throwIfNoEntry: false })?.isDirectory())
    };
    for (const name of ['output.ipynb', 'output.html'] as const) {
      if (manifest[name]) {
        fs.renameSync(path.join(staging, name), path.join(workdir, name));
        result[name === 'output.ipynb' ? 'outputNotebook' : 'outputHtml'] = true;
      }
    }
    fs.writeFileSync(done, JSON.stringify({ manifest: digest, result }));
    return result;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
