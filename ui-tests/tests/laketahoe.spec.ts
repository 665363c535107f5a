/**
 * End-to-end flow in a real JupyterLab: the extension, jupyter-server-proxy, the LakeTahoe service
 * and real kernels running the jobs.
 */
import { expect, test } from '@jupyterlab/galata';
import type { Locator, Page, TestInfo } from '@playwright/test';
import * as path from 'path';

const DEMO = path.resolve(__dirname, '..', '..', 'examples', 'demo.ipynb');
const LONG = path.resolve(__dirname, 'notebooks', 'long.ipynb');

/** Saves a screenshot of `selector` as an artifact of the running test. */
async function attachScreenshot(page: Page, testInfo: TestInfo, name: string, selector: string): Promise<void> {
  const body = await page.locator(selector).first().screenshot();
  await testInfo.attach(name, { body, contentType: 'image/png' });
}

/** Whether `locator` becomes visible within a few seconds (for dialogs that depend on state). */
async function appears(locator: Locator): Promise<boolean> {
  return locator
    .waitFor({ state: 'visible', timeout: 3_000 })
    .then(() => true)
    .catch(() => false);
}

/** Opens the LakeTahoe sidebar panel. */
async function openJobsPanel(page: Page): Promise<void> {
  if (!(await page.locator('#laketahoe-jobs').isVisible())) {
    await page.evaluate(() => (window as any).jupyterapp.commands.execute('laketahoe:show-jobs'));
  }
  await expect(page.locator('#laketahoe-jobs')).toBeVisible();
}

/** Fills the submit dialog: a known job id, and optionally a parameter value; returns the job id. */
async function fillSubmitForm(page: Page, jobId: string, parameters: Record<string, string> = {}): Promise<void> {
  const form = page.locator('.jp-laketahoe-SubmitForm');
  await expect(form).toBeVisible();
  // The generated default must already be a valid job id.
  await expect(form.locator('input[name=jobId]')).toHaveValue(/^[A-Za-z][A-Za-z0-9_]*$/);
  await form.locator('input[name=jobId]').fill(jobId);
  for (const [name, value] of Object.entries(parameters)) {
    await form.locator(`.jp-laketahoe-ParametersTable-row[data-parameter="${name}"] input`).fill(value);
  }
  await page.locator('.jp-Dialog-button.jp-mod-accept', { hasText: 'Submit' }).click();
  await expect(form).toHaveCount(0);
}

test.describe('LakeTahoe training jobs', () => {
  test('submits the demo notebook from the toolbar and inspects the finished job', async ({ page, tmpPath }, testInfo) => {
    await page.contents.uploadFile(DEMO, `${tmpPath}/demo.ipynb`);
    await page.notebook.openByPath(`${tmpPath}/demo.ipynb`);
    await page.notebook.activate('demo.ipynb');

    await page.locator('.jp-NotebookPanel-toolbar [data-command="laketahoe:submit-notebook"]').click();
    // A notebook with unsaved changes (the kernel fills in metadata on open) is saved first, after asking.
    const save = page.locator('.jp-Dialog-button', { hasText: 'Save and Continue' });
    if (await appears(save)) {
      await save.click();
    }
    // The form is pre-filled from the cell tagged `parameters`.
    await expect(
      page.locator('.jp-laketahoe-ParametersTable-row[data-parameter="n_estimators"] input')
    ).toHaveValue('120');
    const jobId = `ui_demo_${Date.now()}`;
    await fillSubmitForm(page, jobId, { n_estimators: '30' });

    await openJobsPanel(page);
    const row = page.locator(`.jp-laketahoe-JobList-item[data-job-id="${jobId}"]`);
    await expect(row).toBeVisible();
    await expect(row).toHaveAttribute('data-state', 'SUCCEEDED', { timeout: 150_000 });
    const progress = row.locator('.jp-laketahoe-Progress');
    await expect(progress).toHaveAttribute('aria-valuenow', await progress.getAttribute('aria-valuemax') ?? 'missing');
    await attachScreenshot(page, testInfo, 'jobs-panel', '#laketahoe-jobs');

    // Detail view: timeline, log, metrics chart, outputs.
    await row.click();
    const detail = page.locator(`.jp-laketahoe-JobDetail[data-job-id="${jobId}"]`);
    await expect(detail).toBeVisible();
    for (const state of ['QUEUED', 'RUNNING', 'SUCCEEDED']) {
      await expect(detail.locator(`.jp-laketahoe-Timeline-entry[data-state="${state}"]`)).toHaveCount(1);
    }
    await expect(detail.locator('.jp-laketahoe-LogView-line', { hasText: 'final accuracy' })).toHaveCount(1);
    await expect(detail.locator('.jp-laketahoe-MetricChart[data-metric="accuracy"] canvas')).toHaveCount(1);
    await attachScreenshot(page, testInfo, 'job-detail', `.jp-laketahoe-JobDetail[data-job-id="${jobId}"]`);

    await detail.locator('.jp-laketahoe-JobDetail-openNotebook').click();
    const outputTab = page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: 'output.ipynb' });
    await expect(outputTab).toBeVisible();
    // The executed notebook carries the injected parameter and the printed accuracy.
    await expect(page.locator('.jp-NotebookPanel:visible .jp-OutputArea-output', { hasText: 'final accuracy' })).toHaveCount(1);
    await expect(page.locator('.jp-NotebookPanel:visible .jp-Cell', { hasText: 'n_estimators = 30' })).toHaveCount(1);
  });

  test('cancels a long job from the file browser context menu submission', async ({ page, tmpPath }, testInfo) => {
    await page.contents.uploadFile(LONG, `${tmpPath}/long.ipynb`);
    await page.filebrowser.openDirectory(tmpPath);
    await page.locator('.jp-DirListing-item[data-file-type="notebook"]', { hasText: 'long.ipynb' }).click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: 'Submit as Training Job' }).click();
    const jobId = `ui_long_${Date.now()}`;
    await fillSubmitForm(page, jobId);

    await openJobsPanel(page);
    const row = page.locator(`.jp-laketahoe-JobList-item[data-job-id="${jobId}"]`);
    await expect(row).toHaveAttribute('data-state', 'RUNNING', { timeout: 90_000 });
    await row.locator('.jp-laketahoe-JobList-cancel').click();
    // Cancelling asks for confirmation first.
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    await expect(row).toHaveAttribute('data-state', 'CANCELLED', { timeout: 60_000 });
    await attachScreenshot(page, testInfo, 'jobs-panel-cancelled', '#laketahoe-jobs');
  });

  test('pushes job updates through the Jupyter server proxy path as they happen', async ({ page, tmpPath }) => {
    await page.contents.uploadFile(LONG, `${tmpPath}/stream.ipynb`);
    const jobId = `ui_stream_${Date.now()}`;
    // In the page: open the event stream through Jupyter Server's proxy, submit a job, and collect the
    // states pushed for it while the job is still running. A proxy that buffered the response would
    // deliver nothing until the stream closes, which never happens here.
    const states: string[] = await page.evaluate(
      async ({ jobId, notebook }) => {
        const base = (window as any).jupyterapp.serviceManager.serverSettings.baseUrl + 'laketahoe/api/v1';
        // jupyter-server-proxy streams a response only when the request asks for an event stream.
        const response = await fetch(`${base}/events`, { headers: { Accept: 'text/event-stream' } });
        if (!response.ok || !response.body) throw new Error(`events: ${response.status}`);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        const submitted = await fetch(`${base}/jobs`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            jobId,
            trainingInput: { scaleTier: 'BASIC', notebook: { path: notebook, parameters: { seconds: 30 } } }
          })
        });
        if (submitted.status !== 201) throw new Error(`submit: ${submitted.status} ${await submitted.text()}`);
        const seen: string[] = [];
        let buffer = '';
        const deadline = Date.now() + 90_000;
        while (!seen.includes('RUNNING') && Date.now() < deadline) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = frame.split('\n').filter(l => l.startsWith('data:')).map(l => l.slice(5)).join('\n');
            if (!frame.includes('event: job') || !data) continue;
            const job = JSON.parse(data);
            if (job.jobId === jobId && seen[seen.length - 1] !== job.state) seen.push(job.state);
          }
        }
        await reader.cancel();
        await fetch(`${base}/jobs/${jobId}/cancel`, { method: 'POST', headers: { 'Content-Type': 'application/json' } });
        return seen;
      },
      { jobId, notebook: `${tmpPath}/stream.ipynb` }
    );
    expect(states[0]).toBe('QUEUED');
    expect(states).toContain('RUNNING');
  });
});
