/**
 * Find, compare and repeat in a real JupyterLab: the jobs panel's search (remembered across a reload),
 * selecting two jobs and comparing them side by side, and running a finished job again.
 */
import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';

const NOTEBOOK = path.resolve(__dirname, 'notebooks', 'hpo.ipynb');

test('searches jobs, compares two side by side and runs one again', async ({ page, tmpPath }) => {
  await page.contents.uploadFile(NOTEBOOK, `${tmpPath}/score.ipynb`);
  const stamp = Date.now();
  const [a, b] = [`ui_cmp_a_${stamp}`, `ui_cmp_b_${stamp}`];
  const statuses = await page.evaluate(
    async ({ jobs, notebook }) => {
      const base = (window as any).jupyterapp.serviceManager.serverSettings.baseUrl + 'laketahoe/api/v1';
      return Promise.all(
        jobs.map(async ([jobId, x]) => {
          const r = await fetch(`${base}/jobs`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ jobId, labels: { sweep: 'x' }, trainingInput: { notebook: { path: notebook, parameters: { x, y: 1 } } } })
          });
          return r.status;
        })
      );
    },
    { jobs: [[a, 0.1], [b, 0.3]] as [string, number][], notebook: `${tmpPath}/score.ipynb` }
  );
  expect(statuses).toEqual([201, 201]);
  await page.evaluate(() => (window as any).jupyterapp.commands.execute('laketahoe:show-jobs'));
  const row = (id: string) => page.locator(`.jp-laketahoe-JobList-item[data-job-id="${id}"]`);
  await expect(row(a)).toHaveAttribute('data-state', 'SUCCEEDED', { timeout: 120_000 });
  await expect(row(b)).toHaveAttribute('data-state', 'SUCCEEDED', { timeout: 120_000 });

  // The search narrows the list to this run's jobs, and is still there after a reload.
  await page.locator('.jp-laketahoe-JobsPanel-searchText').fill(`_${stamp}`);
  // The state database writes to the workspace a moment later: wait for that write before reloading.
  const saved = page.waitForRequest(
    r => r.method() === 'PUT' && r.url().includes('/lab/api/workspaces') && (r.postData() ?? '').includes('sweep=x')
  );
  await page.locator('.jp-laketahoe-JobsPanel-searchLabel').fill('sweep=x');
  await expect(page.locator('.jp-laketahoe-JobList-item')).toHaveCount(2);
  await saved;
  // The restored layout need not show the launcher, which galata's default wait expects.
  await page.reload({ waitForIsReady: false });
  await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
  await page.evaluate(() => (window as any).jupyterapp.commands.execute('laketahoe:show-jobs'));
  await expect(page.locator('.jp-laketahoe-JobsPanel-searchText')).toHaveValue(`_${stamp}`);
  await expect(page.locator('.jp-laketahoe-JobList-item')).toHaveCount(2);
  await expect(page.locator('.jp-laketahoe-JobsPanel-searchLabel')).toHaveValue('sweep=x');
  await page.locator('.jp-laketahoe-JobsPanel-searchText').fill(`ui_cmp_a_${stamp}`);
  await expect(page.locator('.jp-laketahoe-JobList-item')).toHaveCount(1);
  await page.locator('.jp-laketahoe-JobsPanel-searchText').fill(`_${stamp}`);
  await expect(page.locator('.jp-laketahoe-JobList-item')).toHaveCount(2);

  for (const id of [a, b]) {
    await row(id).locator('.jp-laketahoe-JobList-select').check();
  }
  await page.locator('.jp-laketahoe-JobsPanel-compare', { hasText: 'Compare (2)' }).click();
  const view = page.locator('.jp-laketahoe-Compare');
  await expect(view.locator('.jp-laketahoe-Compare-parameters tr[data-name="x"]')).toHaveClass(/jp-laketahoe-Compare-differs/);
  await expect(view.locator('.jp-laketahoe-Compare-parameters tr[data-name="x"] td')).toHaveText(['0.1', '0.3']);
  await expect(view.locator('.jp-laketahoe-Compare-parameters tr[data-name="y"]')).not.toHaveClass(/differs/);
  await expect(view.locator('.jp-laketahoe-Compare-metrics tr[data-name="score"]')).toHaveClass(/differs/);
  // Both jobs' curves in one lazily loaded uPlot chart.
  const chart = view.locator('.jp-laketahoe-Compare-chart[data-metric="score"]');
  await expect(chart.locator('canvas')).toHaveCount(1);
  await expect(chart.locator('.u-legend .u-series')).toHaveCount(3);

  // Run again from the job view: a new job with the same parameters opens.
  await page.evaluate(async id => {
    await (window as any).jupyterapp.commands.execute('laketahoe:open-job', { jobId: id });
  }, a);
  await page.locator('.jp-laketahoe-JobDetail-rerun').click();
  const toast = page.locator('.jp-Notification-Toast-success', { hasText: `a new run of ${a}` });
  await expect(toast).toBeVisible();
  const again = ((await toast.textContent()) ?? '').match(/Submitted (\S+), a new run/)![1];
  await expect(page.locator('.jp-laketahoe-JobDetail-title', { hasText: again })).toBeVisible();
  const parameters = await page.evaluate(async id => {
    const base = (window as any).jupyterapp.serviceManager.serverSettings.baseUrl + 'laketahoe/api/v1';
    return (await (await fetch(`${base}/jobs/${id}`)).json()).trainingInput.notebook.parameters;
  }, again);
  expect(parameters).toEqual({ x: 0.1, y: 1 });
});
