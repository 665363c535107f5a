/**
 * Schedules in a real JupyterLab: "Run on a schedule" in the submit form saves a job definition (with a
 * preview of the next runs), the Job Definitions sidebar shows it, "Run now" submits a run on a real
 * kernel, and its run history opens the job.
 */
import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';

const LONG = path.resolve(__dirname, 'notebooks', 'long.ipynb');

test('saves a scheduled definition from the form, runs it now from the sidebar and opens the run', async ({ page, tmpPath }) => {
  await page.contents.uploadFile(LONG, `${tmpPath}/long.ipynb`);
  // The command resolves once its dialog closes: start it without waiting.
  await page.evaluate(path => {
    void (window as any).jupyterapp.commands.execute('laketahoe:submit-notebook', { path });
  }, `${tmpPath}/long.ipynb`);

  const form = page.locator('.jp-laketahoe-SubmitForm');
  await expect(form).toBeVisible();
  // Runs of this definition end at once.
  await form.locator('.jp-laketahoe-ParametersTable-row[data-parameter="seconds"] input').fill('0');
  await form.locator('input[name=runOnSchedule]').check();
  const definitionId = `ui_sched_${Date.now()}`;
  await form.locator('input[name=definitionId]').fill(definitionId);
  // A bad time zone is named by the service on its field, and blocks saving.
  await form.locator('input[name=timeZone]').fill('Nowhere/Land');
  await expect(form.locator('[data-field="schedule.timeZone"] .jp-laketahoe-SubmitForm-error')).toBeVisible();
  await form.locator('input[name=timeZone]').fill('Asia/Tokyo');
  await form.locator('input[name=cron]').fill('0 9 * * 1-5');
  await expect(form.locator('.jp-laketahoe-SubmitForm-schedulePreview li')).toHaveCount(5);
  await page.locator('.jp-Dialog-button.jp-mod-accept', { hasText: 'Submit' }).click();
  await expect(form).toHaveCount(0);

  // Saving reveals the sidebar with the definition, its schedule and next run.
  const item = page.locator(`.jp-laketahoe-DefinitionItem[data-definition-id="${definitionId}"]`);
  await expect(item).toBeVisible();
  await expect(item.locator('.jp-laketahoe-DefinitionItem-schedule')).toHaveText('0 9 * * 1-5 (Asia/Tokyo)');
  await expect(item.locator('.jp-laketahoe-DefinitionItem-next')).toBeVisible();

  await item.locator('.jp-laketahoe-DefinitionItem-pause').click();
  await expect(item.locator('.jp-laketahoe-DefinitionItem-schedule')).toHaveText('paused');
  await item.locator('.jp-laketahoe-DefinitionItem-pause').click();
  await expect(item.locator('.jp-laketahoe-DefinitionItem-next')).toBeVisible();

  await item.locator('.jp-laketahoe-DefinitionItem-run').click();
  // The history (opened by keyboard) lists the run with its job; the job opens from there.
  await item.locator('.jp-laketahoe-DefinitionItem-summary').focus();
  await page.keyboard.press('Enter');
  const runButton = item.locator('.jp-laketahoe-DefinitionRun-job');
  await expect(runButton).toHaveCount(1, { timeout: 30_000 });
  await expect(runButton).toContainText(definitionId);
  const jobId = ((await runButton.textContent()) ?? '').split(' ')[0];
  await runButton.focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('.jp-laketahoe-JobDetail', { hasText: jobId }).first()).toBeVisible();

  // Deleting the definition (after confirming) keeps its job.
  await item.locator('.jp-laketahoe-DefinitionItem-delete').click();
  await page.locator('.jp-Dialog-button.jp-mod-warn', { hasText: 'Delete' }).click();
  await expect(item).toHaveCount(0);
  const status = await page.evaluate(async id => {
    const base = (window as any).jupyterapp.serviceManager.serverSettings.baseUrl + 'laketahoe/api/v1';
    return (await fetch(`${base}/jobs/${id}`)).status;
  }, jobId);
  expect(status).toBe(200);
});
