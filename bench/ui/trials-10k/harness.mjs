/**
 * What the trials bench and its profiler share: seed HPO jobs into a fresh store, start JupyterLab with
 * the service, and open Chromium on it with the in-page measurements (page.js) installed.
 */
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');
const require = createRequire(path.join(repo, 'ui-tests', 'package.json'));
const { chromium } = require('playwright-core');

/** The seeded job of `size` trials. */
export const jobId = size => `bench_trials_${size}`;

function freePort() {
  const script =
    "const s = require('net').createServer().listen(0, '127.0.0.1', () => { process.stdout.write(String(s.address().port)); s.close(); });";
  return Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }).trim());
}

async function waitFor(url, timeoutMs) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise(resolve => setTimeout(resolve, 500));
  }
  throw new Error(`${url} did not answer in ${timeoutMs} ms`);
}

/**
 * Seed jobs of `sizes` trials, start JupyterLab and Chromium, open the trials view of the smallest job
 * once (the service starts on the first request, the chart module loads once) and close it again.
 * Calls `body({ browser, page })`; stops everything afterwards, also on errors.
 */
export async function withTrialsLab(sizes, body) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'laketahoe-trials-bench-'));
  execFileSync(
    process.execPath,
    [path.join(here, 'seed.mjs'), root, os.userInfo().username, ...sizes.map(n => `${jobId(n)}:${n}`)],
    { stdio: 'inherit' }
  );
  const port = freePort();
  const jupyter = process.env.JUPYTER ?? path.join(repo, '.venv', 'bin', 'jupyter');
  const lab = spawn(
    jupyter,
    ['lab', '--config', path.join(here, 'jupyter_config.py'), `--ServerApp.port=${port}`, '--ServerApp.port_retries=0', '--no-browser'],
    {
      env: {
        ...process.env,
        PATH: `${path.dirname(jupyter)}:${process.env.PATH}`,
        LAKETAHOE_BENCH_ROOT: root,
        LAKETAHOE_RUNTIME_FILE: path.join(root, 'service.json')
      },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true
    }
  );
  let labLog = '';
  lab.stderr.on('data', chunk => {
    labLog = (labLog + chunk).slice(-20000);
  });

  let browser;
  try {
    await waitFor(`http://127.0.0.1:${port}/lab`, 120_000);
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking', '--disable-sync']
    });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.on('crash', () => console.error('the page crashed'));
    page.on('pageerror', error => console.error(`page error: ${error.message}`));
    await page.addInitScript({ path: path.join(here, 'page.js') });
    await page.goto(`http://127.0.0.1:${port}/lab`);
    await page.waitForFunction(() => window.jupyterapp && window.jupyterapp.commands.hasCommand('laketahoe:open-trials'), null, {
      timeout: 120_000
    });
    const smallest = Math.min(...sizes);
    await page.evaluate(([id, n]) => window.__bench.open(id, n), [jobId(smallest), smallest]);
    await page.evaluate(() => window.jupyterapp.commands.execute('application:close-all'));
    await page.waitForTimeout(1000);
    return await body({ browser, page });
  } catch (error) {
    console.error(labLog);
    throw error;
  } finally {
    await browser?.close();
    try {
      process.kill(-lab.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    await new Promise(resolve => setTimeout(resolve, 1500));
    fs.rmSync(root, { recursive: true, force: true });
  }
}
