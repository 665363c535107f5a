/**
 * The import rules of .dependency-cruiser.cjs over the extension (src/) and the service
 * (server-proxy/src/): no import cycle, type-only imports included, and nothing below the service's
 * HTTP floor imports it.
 *
 * dependency-cruiser runs in a child Node process: it is an ES module for Node, not for jsdom.
 */
import { execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
const CLI = path.join(
  ROOT,
  'node_modules',
  'dependency-cruiser',
  'bin',
  'dependency-cruise.mjs'
);

interface IViolation {
  from: string;
  to: string;
  rule: { name: string };
  cycle?: { name: string }[];
}

/** Cruises `folders` under `cwd` with the project's rules; answers the violations. */
function cruise(cwd: string, folders: string[]): IViolation[] {
  let output: string;
  try {
    output = execFileSync(
      process.execPath,
      [CLI, '--config', CONFIG, '--output-type', 'json', ...folders],
      { cwd, encoding: 'utf8', stdio: 'pipe', maxBuffer: 64 * 1024 * 1024 }
    );
  } catch (error) {
    // Violations of error severity make the command exit 1; the report is still on stdout.
    output = (error as { stdout: string }).stdout;
  }
  return JSON.parse(output).summary.violations;
}

/** Says each violation on one line: rule, importer, imported (and the cycle's path). */
function describe_(violations: IViolation[]): string[] {
  return violations.map(v =>
    [
      v.rule.name,
      v.from,
      '->',
      v.to,
      v.cycle ? `(${v.cycle.map(step => step.name).join(' -> ')})` : ''
    ]
      .filter(Boolean)
      .join(' ')
  );
}

function writeFiles(root: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
}

describe('architecture', () => {
  it('has no import cycle and no domain module importing the HTTP layer', () => {
    expect(describe_(cruise(ROOT, ['src', 'server-proxy/src']))).toEqual([]);
  }, 120_000);

  it('catches a cycle through a type-only import and a domain module importing the HTTP layer', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'laketahoe-arch-'));
    try {
      writeFiles(dir, {
        'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true } }),
        'server-proxy/src/jobs/a.ts':
          "import type { B } from './b.js';\nexport interface A { b?: B }\n",
        'server-proxy/src/jobs/b.ts':
          "import type { A } from './a.js';\nexport interface B { a?: A }\n",
        'server-proxy/src/serving/reply.ts':
          "import { status } from '../api/errors.js';\nexport const ok = status;\n",
        'server-proxy/src/api/errors.ts': 'export const status = 200;\n',
        'server-proxy/src/app.ts':
          "import { status } from './api/errors.js';\nexport const code = status;\n"
      });
      const found = describe_(cruise(dir, ['server-proxy/src']));
      expect(found).toContainEqual(
        expect.stringMatching(
          /^no-circular server-proxy\/src\/jobs\/[ab]\.ts -> .*\(.*jobs\/[ab]\.ts/
        )
      );
      expect(found).toContainEqual(
        'domain-not-http server-proxy/src/serving/reply.ts -> server-proxy/src/api/errors.ts'
      );
      // The wiring may import the HTTP layer.
      expect(found.filter(line => line.includes('src/app.ts'))).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
