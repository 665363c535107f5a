/**
 * The usage chart of a job in a real JupyterLab: a job runs a few seconds on a real kernel while the
 * LakeTahoe service samples its process tree; its detail view shows the summary and the uPlot chart.
 */
import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';

const LONG = path.resolve(__dirname, 'notebooks', 'long.ipynb');

test('the job view charts CPU and memory of a job and sums them up', async ({ page, tmpPath }) => {
  await page.contents.uploadFile(LONG, `${tmpPath}/long.ipynb`);
  const jobId = `ui_usage_${Date.now()}`;
  const status = await page.evaluate(
    async ({ jobId, notebook }) => {
      const base = (window as any).jupyterapp.serviceManager.serverSettings.baseUrl + 'laketahoe/api/v1';
      const r = await fetch(`${base}/jobs`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ jobId, trainingInput: { notebook: { path: notebook, parameters: { seconds: 5 } } } })
      });
      return r.status;
    },
    { jobId, notebook: `${tmpPath}/long.ipynb` }
  );
  expect(status).toBe(201);
  await page.evaluate(() => (window as any).jupyterapp.commands.execute('laketahoe:show-jobs'));
  const row = page.locator(`.jp-laketahoe-JobList-item[data-job-id="${jobId}"]`);
  await expect(row).toHaveAttribute('data-state', 'SUCCEEDED', { timeout: 120_000 });

  await row.click();
  const detail = page.locator(`.jp-laketahoe-JobDetail[data-job-id="${jobId}"]`);
  await expect(detail.locator('.jp-laketahoe-UsageChart canvas')).toHaveCount(1);
  // The runner and its kernel hold tens of MiB at least; BASIC asks for 2 GiB.
  await expect(detail.locator('[data-usage="peakMemory"]')).toHaveText(/^Peak memory \d+ MiB of 2\.0 GiB$/);
  await expect(detail.locator('[data-usage="cpuSeconds"]')).toHaveText(/^\d+\.\d CPU-seconds$/);
  // Far below its request: the hint says so.
  await expect(detail.locator('.jp-laketahoe-Usage-hint')).toContainText('This job used at most');
  await expect(detail.locator('.jp-laketahoe-UsageChart .u-legend')).toContainText('Memory (GiB)');
});
