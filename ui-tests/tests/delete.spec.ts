/**
 * Deleting jobs from the jobs panel in a real JupyterLab, by keyboard: select rows with Space, press
 * "Delete (n)", confirm in the dialog. The jobs run on real kernels through the LakeTahoe service.
 */
import { expect, test } from '@jupyterlab/galata';
import type { Page } from '@playwright/test';
import * as path from 'path';

const LONG = path.resolve(__dirname, 'notebooks', 'long.ipynb');

/** Submits a job through the proxy as the page would, waiting for it to be in the panel. */
async function submit(page: Page, jobId: string, notebook: string, seconds: number): Promise<void> {
  const status = await page.evaluate(
    async ({ jobId, notebook, seconds }) => {
      const base = (window as any).jupyterapp.serviceManager.serverSettings.baseUrl + 'laketahoe/api/v1';
      const r = await fetch(`${base}/jobs`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ jobId, trainingInput: { notebook: { path: notebook, parameters: { seconds } } } })
      });
      return r.status;
    },
    { jobId, notebook, seconds }
  );
  expect(status).toBe(201);
}

test('selects two jobs by keyboard and deletes them after confirming; a running one is cancelled first', async ({ page, tmpPath }) => {
  await page.contents.uploadFile(LONG, `${tmpPath}/long.ipynb`);
  const stamp = Date.now();
  const done = `ui_del_done_${stamp}`;
  const running = `ui_del_run_${stamp}`;
  const kept = `ui_del_kept_${stamp}`;
  await page.evaluate(() => (window as any).jupyterapp.commands.execute('laketahoe:show-jobs'));
  await submit(page, done, `${tmpPath}/long.ipynb`, 0);
  await submit(page, running, `${tmpPath}/long.ipynb`, 120);
  await submit(page, kept, `${tmpPath}/long.ipynb`, 0);
  const row = (id: string) => page.locator(`.jp-laketahoe-JobList-item[data-job-id="${id}"]`);
  await expect(row(done)).toHaveAttribute('data-state', 'SUCCEEDED', { timeout: 120_000 });
  await expect(row(running)).toHaveAttribute('data-state', 'RUNNING', { timeout: 120_000 });

  // Space on a focused checkbox selects its row without opening the job.
  for (const id of [done, running]) {
    await row(id).locator('.jp-laketahoe-JobList-select').focus();
    await page.keyboard.press('Space');
    await expect(row(id).locator('.jp-laketahoe-JobList-select')).toBeChecked();
  }
  const deleteButton = page.locator('.jp-laketahoe-JobsPanel-delete');
  await expect(deleteButton).toHaveText('Delete (2)');
  await deleteButton.focus();
  await page.keyboard.press('Enter');
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText('Delete 2 jobs?');
  // Escape keeps everything.
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(row(done)).toHaveCount(1);

  await deleteButton.click();
  await page.locator('.jp-Dialog-button.jp-mod-warn', { hasText: 'Delete' }).click();
  await expect(row(done)).toHaveCount(0, { timeout: 60_000 });
  await expect(row(running)).toHaveCount(0);
  await expect(row(kept)).toHaveCount(1);
  await expect(deleteButton).toHaveCount(0);
  const answers = await page.evaluate(async ids => {
    const base = (window as any).jupyterapp.serviceManager.serverSettings.baseUrl + 'laketahoe/api/v1';
    return Promise.all(ids.map(async id => (await fetch(`${base}/jobs/${id}`)).status));
  }, [done, running, kept]);
  expect(answers).toEqual([404, 404, 200]);
});
