/**
 * Where the trials view spends its time: one action (open, sort, filter, scroll or update) at one size,
 * under Chromium's sampling profiler and tracing. Prints the functions with the most self time and the
 * main thread's busiest trace events; keeps the trace for chrome://tracing or DevTools when asked.
 *
 *   node bench/ui/trials-10k/profile.mjs scroll [trials=1000] [trace.json]
 *
 * With PROFILE_SORTED=1 the view is sorted by the metric first (as the bench leaves it).
 */
import fs from 'node:fs';

import { jobId, withTrialsLab } from './harness.mjs';

const [action = 'scroll', sizeText = '1000', traceFile] = process.argv.slice(2);
const size = Number(sizeText);
const id = jobId(size);

/** The action, run in the open view; resolves once the page is quiet again. */
async function act(page) {
  const view = page.locator(`.jp-laketahoe-Trials[data-job-id="${id}"]`);
  const box = await view.locator('.jp-laketahoe-TrialsGrid').boundingBox();
  switch (action) {
    case 'open':
      return;
    case 'sort':
      await page.evaluate(() => window.__bench.expect('mousedown'));
      await page.mouse.click(box.x + 2 * 110 + 55, box.y + 14);
      return page.evaluate(() => window.__bench.afterEvent());
    case 'filter':
      await page.evaluate(() => window.__bench.expect('change'));
      await view.locator('.jp-laketahoe-Trials-filter select').selectOption('FAILED');
      return page.evaluate(() => window.__bench.afterEvent());
    case 'scroll': {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      const since = await page.evaluate(() => performance.now());
      for (let i = 0; i < 10; i++) {
        await page.mouse.wheel(0, 1200);
        await page.waitForTimeout(16);
      }
      await page.waitForTimeout(500);
      return page.evaluate(s => ({ longTasks: window.__bench.tasksSince(s) }), since);
    }
    case 'update':
      return page.evaluate(
        i =>
          window.__bench.timed(() => {
            const model = window.__bench.trialsView(i).model;
            const first = model.trials[0];
            model.applyTrials([{ ...first, state: 'SUCCEEDED', finalMetric: { trainingStep: 2000, objectiveValue: 0.999 } }]);
          }),
        id
      );
    default:
      throw new Error(`unknown action ${action}`);
  }
}

/** Self time per function of a CPU profile, most first. */
function selfTimes(profile) {
  const byId = new Map(profile.nodes.map(n => [n.id, n]));
  const totals = new Map();
  const deltas = profile.timeDeltas;
  profile.samples.forEach((nodeId, i) => {
    const node = byId.get(nodeId);
    const f = node.callFrame;
    const file = f.url.split('/').pop();
    const name = `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
    totals.set(name, (totals.get(name) ?? 0) + (deltas[i + 1] ?? 0) / 1000);
  });
  return [...totals].sort((a, b) => b[1] - a[1]);
}

/** Total duration of complete trace events on the renderer's main thread, by name. */
function mainThreadEvents(trace) {
  const events = trace.traceEvents ?? trace;
  const main = events.find(e => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const totals = new Map();
  for (const e of events) {
    if (main && (e.pid !== main.pid || e.tid !== main.tid)) continue;
    if (e.ph !== 'X' || !e.dur) continue;
    totals.set(e.name, (totals.get(e.name) ?? 0) + e.dur / 1000);
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

await withTrialsLab([size], async ({ browser, page }) => {
  const cdp = await page.context().newCDPSession(page);
  if (action !== 'open') {
    await page.evaluate(([i, n]) => window.__bench.open(i, n), [id, size]);
    if (process.env.PROFILE_SORTED === '1') {
      await page.evaluate(i => window.__bench.trialsView(i).model.toggleSort('objective'), id);
    }
    await page.waitForTimeout(1500);
  }
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
  await browser.startTracing(page, {
    categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'cc', 'gpu', 'v8.execute']
  });
  await cdp.send('Profiler.start');
  const result =
    action === 'open' ? await page.evaluate(([i, n]) => window.__bench.open(i, n), [id, size]) : await act(page);
  const { profile } = await cdp.send('Profiler.stop');
  const trace = JSON.parse((await browser.stopTracing()).toString());
  if (traceFile) {
    fs.writeFileSync(traceFile, JSON.stringify(trace));
  }
  const tasks = result?.longTasks ?? [];
  console.log(`${action} at ${size} trials: ${result?.ms ? `${Math.round(result.ms)} ms, ` : ''}${tasks.length} long tasks: ${tasks.map(t => Math.round(t.duration)).join(' ')}`);
  console.log('\nself time (ms), top functions:');
  for (const [name, ms] of selfTimes(profile).slice(0, 30)) {
    console.log(`${ms.toFixed(1).padStart(9)}  ${name}`);
  }
  console.log('\nmain thread trace events (ms, nested ones counted in their parents too):');
  for (const [name, ms] of mainThreadEvents(trace).slice(0, 25)) {
    console.log(`${ms.toFixed(1).padStart(9)}  ${name}`);
  }
});
