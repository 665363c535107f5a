#!/usr/bin/env node
// Bundles the service into one folder for the Python wheel and the service image:
//   <out>/main.mjs            the service and every JavaScript dependency, one ES module
//   <out>/THIRD_PARTY_LICENSES.txt  the licences of the bundled npm packages
//   <out>/better_sqlite3.node SQLite's native addon for this platform and Node's ABI
//   <out>/native.json         which Node the addon was built for (checked by the Python launcher)
// Usage: node scripts/bundle.mjs [--out DIR] [--native FILE] [--js-only | --native-only]
// The default folder is ../laketahoe/service; the addon comes from node_modules/better-sqlite3 unless --native.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const serviceRoot = path.resolve(here, '..');
const repoRoot = path.resolve(serviceRoot, '..');

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: path.join(repoRoot, 'laketahoe', 'service') },
    native: { type: 'string' },
    'js-only': { type: 'boolean', default: false },
    'native-only': { type: 'boolean', default: false }
  }
});
const out = path.resolve(values.out);
fs.mkdirSync(out, { recursive: true });

if (!values['native-only']) {
  const { build } = await import('esbuild');
  // One version for the Python package, the extension and the service: the root package.json.
  const { version } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const result = await build({
    entryPoints: [path.join(serviceRoot, 'src', 'main.ts')],
    outfile: path.join(out, 'main.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    keepNames: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    define: { LAKETAHOE_BUNDLE_VERSION: JSON.stringify(version) },
    // CommonJS dependencies call require(); an ES module has none, so give it one.
    banner: {
      js: "import { createRequire as __ltCreateRequire } from 'node:module'; const require = __ltCreateRequire(import.meta.url);"
    }
  });
  fs.writeFileSync(path.join(out, 'THIRD_PARTY_LICENSES.txt'), thirdPartyLicenses(Object.keys(result.metafile.inputs)));
  // The model servers' launcher (Python, run by MLServer's own interpreter) ships beside the service.
  fs.copyFileSync(path.join(serviceRoot, 'python', 'serve_model.py'), path.join(out, 'serve_model.py'));
}

if (!values['js-only']) {
  const addon = values.native
    ? path.resolve(values.native)
    : path.join(serviceRoot, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  if (!fs.existsSync(addon)) {
    console.error(`bundle: ${addon} is missing: run npm ci in server-proxy/ first`);
    process.exit(1);
  }
  // The addon loads only in the Node ABI it was compiled for: refuse to label it with another one.
  const gypi = path.join(path.dirname(addon), '..', 'config.gypi');
  const built = fs.existsSync(gypi) ? /"node_module_version": (\d+)/.exec(fs.readFileSync(gypi, 'utf8'))?.[1] : undefined;
  if (built && built !== process.versions.modules) {
    console.error(`bundle: ${addon} was built for NODE_MODULE_VERSION ${built}, but this is Node ${process.version} (${process.versions.modules}): bundle with the Node that built it`);
    process.exit(1);
  }
  fs.copyFileSync(addon, path.join(out, 'better_sqlite3.node'));
  const sqlite = JSON.parse(
    fs.readFileSync(path.join(serviceRoot, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8')
  );
  // NODE_MODULE_VERSION of the Node that built the addon; this script runs on that Node.
  const native = {
    'better-sqlite3': sqlite.version,
    nodeMajor: Number(process.versions.node.split('.')[0]),
    nodeModuleVersion: Number(process.versions.modules),
    platform: process.platform,
    arch: process.arch
  };
  fs.writeFileSync(path.join(out, 'native.json'), JSON.stringify(native, null, 2) + '\n');
}
console.log(`bundle: ${out}`);

/** The licence texts of the npm packages whose files went into the bundle, one section per package. */
function thirdPartyLicenses(inputs) {
  const dirs = new Set();
  for (const input of inputs) {
    // node_modules/@scope/name/... or node_modules/name/...; the innermost node_modules wins.
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) {
      dirs.add(path.resolve(serviceRoot, m[1]));
    }
  }
  const sections = [];
  for (const dir of [...dirs].sort()) {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const file = fs.readdirSync(dir).find(f => /^(licen[cs]e|copying)/i.test(f));
    const text = file ? fs.readFileSync(path.join(dir, file), 'utf8').trim() : `License: ${pkg.license ?? 'unknown'}`;
    sections.push(`${pkg.name}@${pkg.version} (${pkg.license ?? 'unknown'})\n\n${text}\n`);
  }
  return `Packages bundled into main.mjs and better_sqlite3.node.\n\n${sections.join('\n' + '-'.repeat(72) + '\n\n')}`;
}
