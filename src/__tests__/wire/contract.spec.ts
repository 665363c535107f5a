/**
 * The wire contract: the generated files follow server-proxy/openapi.json, and the document is valid.
 *
 * Both run tools/wire/generate.mjs in a child Node process (openapi-typescript and the validator are ES
 * modules for Node, not for the jsdom test environment).
 */
import { execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';

import { JOB_ID, JOB_STATES, SCALE_TIERS } from '../../wire';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const OPENAPI = path.join(ROOT, 'server-proxy', 'openapi.json');

/** Runs the generator; answers its exit status and output. */
function generator(...args: string[]): { status: number; output: string } {
  try {
    const output = execFileSync(
      process.execPath,
      [path.join(ROOT, 'tools', 'wire', 'generate.mjs'), ...args],
      { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' }
    );
    return { status: 0, output };
  } catch (error) {
    const failed = error as { status: number; stdout: string; stderr: string };
    return { status: failed.status, output: failed.stdout + failed.stderr };
  }
}

/** A copy of the document, changed by `edit`, in a temporary file. */
function editedDocument(edit: (doc: any) => void): string {
  const doc = JSON.parse(fs.readFileSync(OPENAPI, 'utf8'));
  edit(doc);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'laketahoe-wire-'));
  const file = path.join(dir, 'openapi.json');
  fs.writeFileSync(file, JSON.stringify(doc));
  return file;
}

const submitBody = (doc: any) =>
  doc.paths['/api/v1/jobs'].post.requestBody.content['application/json'].schema;

describe('wire contract', () => {
  it('generated files equal what the OpenAPI document generates', () => {
    const { status, output } = generator('--check');
    expect(output).toContain('wire types match');
    expect(status).toBe(0);
  });

  it('fails when the document changes and the generated files do not follow', () => {
    const changed = editedDocument(doc => {
      submitBody(doc).properties.trainingInput.properties.scaleTier.enum.push(
        'PREMIUM_2'
      );
    });
    const { status, output } = generator('--check', '--openapi', changed);
    expect(status).toBe(1);
    expect(output).toContain('src/wire/openapi.gen.ts');
    expect(output).toContain('src/wire/rules.gen.ts');
    expect(output).toContain('laketahoe/_wire.py');
  });

  it('the document is valid for the OpenAPI version it declares', () => {
    const { status, output } = generator('--validate');
    expect(output).toContain('valid OpenAPI 3.0.3');
    expect(status).toBe(0);
  });

  it('the validator rejects a draft-07 exclusiveMinimum in an OpenAPI 3.0 document', () => {
    const broken = editedDocument(doc => {
      const cpu =
        submitBody(doc).properties.trainingInput.properties.masterConfig
          .properties.resources.properties.cpu;
      cpu.exclusiveMinimum = 0;
      delete cpu.minimum;
    });
    const { status, output } = generator('--validate', '--openapi', broken);
    expect(status).toBe(1);
    expect(output).toContain('must be boolean');
  });

  it('run-time rules come from the document', () => {
    const body = submitBody(JSON.parse(fs.readFileSync(OPENAPI, 'utf8')));
    expect(JOB_ID.source).toBe(body.properties.jobId.pattern);
    expect([...SCALE_TIERS]).toEqual(
      body.properties.trainingInput.properties.scaleTier.enum
    );
    expect(JOB_STATES).toContain('CANCELLING');
    expect(JOB_ID.test('train_1')).toBe(true);
    expect(JOB_ID.test('1train')).toBe(false);
  });
});
