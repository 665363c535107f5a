/**
 * The requests behind opening the trials view, from the page's resource timing: when each was sent and
 * answered (ms after the open command), the service's wait and the bytes, and when every plot was drawn.
 * Opens the view `runs` times (closing it in between) after the harness's warm-up.
 *
 *   node bench/ui/trials-10k/requests.mjs [trials=10000] [runs=2]
 */
import { jobId, withTrialsLab } from './harness.mjs';

const size = Number(process.argv[2] ?? 10000);
const runs = Number(process.argv[3] ?? 2);

await withTrialsLab([size], async ({ page }) => {
  for (let i = 0; i < runs; i++) {
    await page.evaluate(() => performance.clearResourceTimings());
    const open = await page.evaluate(
      async ([id, n]) => {
        const t0 = performance.now();
        const r = await window.__bench.open(id, n);
        const requests = performance
          .getEntriesByType('resource')
          .filter(e => e.name.includes('/api/v1/jobs/'))
          .map(e => ({
            sent: e.startTime - t0,
            done: e.responseEnd - t0,
            wait: e.responseStart - e.requestStart,
            kib: e.encodedBodySize / 1024,
            path: new URL(e.name).pathname.replace(/.*\/api\/v1/, '') + new URL(e.name).search.slice(0, 50)
          }));
        return { ms: r.ms, firstRowsMs: r.firstRowsMs, requests };
      },
      [jobId(size), size]
    );
    console.log(`open ${i + 1}: plots drawn after ${Math.round(open.ms)} ms, first rows after ${Math.round(open.firstRowsMs)} ms`);
    for (const r of open.requests) {
      const span = `${Math.round(r.sent)}..${Math.round(r.done)} ms`.padEnd(14);
      console.log(`  ${span} wait ${String(Math.round(r.wait)).padStart(4)} ms ${String(Math.round(r.kib)).padStart(6)} KiB  ${r.path}`);
    }
    await page.evaluate(() => window.jupyterapp.commands.execute('application:close-all'));
    await page.waitForTimeout(1500);
  }
});
