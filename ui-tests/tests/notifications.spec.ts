/**
 * JupyterLab notifications when jobs end, for jobs submitted outside the page (as a kernel or the CLI
 * would): a success and a failure with its reason, each with an Open action that opens the job.
 */
import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';

const NOTEBOOK = path.resolve(__dirname, 'notebooks', 'hpo.ipynb');

test('a job that ends shows a notification whose Open action opens it; a failure says why', async ({ page, tmpPath }) => {
  await page.contents.uploadFile(NOTEBOOK, `${tmpPath}/score.ipynb`);
  const stamp = Date.now();
  const ok = `ui_note_ok_${stamp}`;
  const bad = `ui_note_bad_${stamp}`;
  // Submitted by a plain API call, not the submit form: the page learns of the jobs from the event stream.
  const statuses = await page.evaluate(
    async ({ jobs, notebook }) => {
      const base = (window as any).jupyterapp.serviceManager.serverSettings.baseUrl + 'laketahoe/api/v1';
      return Promise.all(
        jobs.map(async ([jobId, x]) => {
          const r = await fetch(`${base}/jobs`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ jobId, trainingInput: { notebook: { path: notebook, parameters: { x } } } })
          });
          return r.status;
        })
      );
    },
    { jobs: [[ok, 0.4], [bad, 'not a number']] as [string, unknown][], notebook: `${tmpPath}/score.ipynb` }
  );
  expect(statuses).toEqual([201, 201]);

  const failed = page.locator('.jp-Notification-Toast-error', { hasText: `Job ${bad} failed:` });
  await expect(failed).toBeVisible({ timeout: 120_000 });
  await expect(failed).toContainText('TypeError');
  const succeeded = page.locator('.jp-Notification-Toast-success', { hasText: `Job ${ok} succeeded.` });
  await expect(succeeded).toBeVisible({ timeout: 120_000 });

  await succeeded.getByRole('button', { name: 'Open' }).click();
  const detail = page.locator('.jp-laketahoe-JobDetail-title', { hasText: ok });
  await expect(detail).toBeVisible();
  await expect(page.locator('.lm-TabBar-tab.lm-mod-current', { hasText: ok })).toBeVisible();
});
