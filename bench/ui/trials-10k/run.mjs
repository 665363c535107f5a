/**
 * The trials browser at 10,000 trials, measured in Chromium against a real JupyterLab and service:
 * opening the view, sorting by the metric, filtering, scrolling the grid top to bottom, redrawing the
 * plots, and live updates while trials finish. The peer, in the same run: the same view at 1,000 trials.
 *
 *   bash bench/ui/trials-10k/run.sh      (builds nothing: run `make build` first)
 */
import fs from 'node:fs';

import { jobId, withTrialsLab } from './harness.mjs';

const SIZES = (process.env.TRIALS_BENCH_SIZES ?? '10000,1000').split(',').map(Number);
const LIVE_TRIALS = 50;
const LIVE_EVERY_MS = 80;

const results = {};
try {
  await withTrialsLab(SIZES, async ({ page }) => {
    for (const size of SIZES) {
      const id = jobId(size);
      const r = (results[size] = {});
      console.error(`measuring ${size} trials`);
      r.open = await page.evaluate(([i, n]) => window.__bench.open(i, n), [id, size]);
      const view = page.locator(`.jp-laketahoe-Trials[data-job-id="${id}"]`);
      const grid = view.locator('.jp-laketahoe-TrialsGrid');
      const box = await grid.boundingBox();
      await page.waitForTimeout(1500);

      // Sort by the metric (third column's header), then back the other way.
      console.error(`  ${new Date().toISOString()} sort`);
      r.sort = [];
      for (let i = 0; i < 2; i++) {
        await page.evaluate(() => window.__bench.expect('mousedown'));
        await page.mouse.click(box.x + 2 * 110 + 55, box.y + 14);
        r.sort.push(await page.evaluate(() => window.__bench.afterEvent()));
        await page.waitForTimeout(1200);
      }
      // Filter on one state and back to all.
      console.error(`  ${new Date().toISOString()} filter`);
      r.filter = [];
      for (const state of ['FAILED', 'SUCCEEDED', 'ALL']) {
        await page.evaluate(() => window.__bench.expect('change'));
        await view.locator('.jp-laketahoe-Trials-filter select').selectOption(state);
        r.filter.push(await page.evaluate(() => window.__bench.afterEvent()));
        await page.waitForTimeout(1200);
      }

      console.error(`  ${new Date().toISOString()} Scroll`);
      // Scroll the grid top to bottom with the wheel, 1,200 px a step.
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      const scrollStart = await page.evaluate(() => performance.now());
      const steps = Math.ceil((size * 24) / 1200);
      for (let i = 0; i < steps; i++) {
        await page.mouse.wheel(0, 1200);
        await page.waitForTimeout(16);
      }
      await page.waitForTimeout(500);
      r.scroll = await page.evaluate(
        ([id, since]) => {
          const grid = window.__bench.trialsView(id).grid;
          return { atBottom: grid.scrollY >= grid.maxScrollY - 1, longTasks: window.__bench.tasksSince(since) };
        },
        [id, scrollStart]
      );

      console.error(`  ${new Date().toISOString()} Plots`);
      // Plots redrawn: on a resize (every plot), and on new data (one trial becomes the best).
      await page.setViewportSize({ width: 1400, height: 1000 });
      r.resize = await page.evaluate(() => window.__bench.timed(() => window.dispatchEvent(new Event('resize'))));
      await page.setViewportSize({ width: 1600, height: 1000 });
      await page.waitForTimeout(1500);
      r.data = await page.evaluate(
        id =>
          window.__bench.timed(() => {
            const model = window.__bench.trialsView(id).model;
            const first = model.trials[0];
            model.applyTrials([{ ...first, state: 'SUCCEEDED', finalMetric: { trainingStep: 2000, objectiveValue: 0.999 } }]);
          }),
        id
      );
      await page.waitForTimeout(1500);

      console.error(`  ${new Date().toISOString()} live`);
      r.live = await page.evaluate(([i, n, ms]) => window.__bench.live(i, n, ms), [id, LIVE_TRIALS, LIVE_EVERY_MS]);
      await page.evaluate(() => window.jupyterapp.commands.execute('application:close-all'));
      await page.waitForTimeout(1000);
    }
  });
} catch (error) {
  console.error(error);
  process.exitCode = 1;
}

const maxTask = tasks => (tasks.length ? Math.max(...tasks.map(t => t.duration)) : 0);
const fmt = ms => `${Math.round(ms)} ms`;
const row = (label, target, ...values) =>
  console.log(`${label.padEnd(34)} ${target.padEnd(14)} ${values.map(v => v.padEnd(24)).join(' ')}`);
if (Object.keys(results).length === SIZES.length) {
  console.log('');
  row('trials browser', 'target', ...SIZES.map(n => `${n.toLocaleString('en')} trials`));
  const each = f => SIZES.map(n => f(results[n]));
  row('open (command to plots drawn)', '<= 1000 ms', ...each(r => `${fmt(r.open.ms)} (longest task ${fmt(maxTask(r.open.longTasks))})`));
  row('open: first rows shown', '', ...each(r => fmt(r.open.firstRowsMs ?? NaN)));
  row('sort by metric (worst of 2)', '<= 200 ms', ...each(r => fmt(Math.max(...r.sort.map(s => s.ms)))));
  row('filter by state (worst of 3)', '<= 200 ms', ...each(r => fmt(Math.max(...r.filter.map(s => s.ms)))));
  row('scroll top to bottom: long tasks', 'none > 50 ms', ...each(r => `${r.scroll.longTasks.length}, longest ${fmt(maxTask(r.scroll.longTasks))}${r.scroll.atBottom ? '' : ' (not at bottom!)'}`));
  row('plots redrawn on resize', '<= 300 ms', ...each(r => fmt(r.resize.ms)));
  row('one trial update (grid + plots)', '<= 300 ms', ...each(r => fmt(r.data.ms)));
  row(`live: ${LIVE_TRIALS} trials end, 1 per ${LIVE_EVERY_MS} ms`, 'no full redraw', ...each(
    r => `${r.live.longTasks.length} long tasks, ${fmt(r.live.longTasks.reduce((s, t) => s + t.duration, 0))} in them, ${Math.round(r.live.fps)} fps, worst frame ${fmt(r.live.worstGap)}`
  ));
  if (process.env.TRIALS_BENCH_JSON) {
    fs.writeFileSync(process.env.TRIALS_BENCH_JSON, JSON.stringify(results, null, 1));
  }
}
