/**
 * Hyperparameter tuning in a real JupyterLab: the HPO section of the submit form, the service running
 * real trials, and the trials browser following them live.
 */
import { expect, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import * as path from 'path';

const NOTEBOOK = path.resolve(__dirname, 'notebooks', 'hpo.ipynb');

/** Whether `locator` becomes visible within a few seconds (for dialogs that depend on state). */
async function appears(locator: Locator): Promise<boolean> {
  return locator
    .waitFor({ state: 'visible', timeout: 3_000 })
    .then(() => true)
    .catch(() => false);
}

test.describe('LakeTahoe hyperparameter tuning', () => {
  test('submits an HPO job from the form and follows its trials', async ({ page, tmpPath }, testInfo) => {
    test.setTimeout(360_000);
    await page.contents.uploadFile(NOTEBOOK, `${tmpPath}/hpo.ipynb`);
    // Not awaited in the page: the command resolves only once the dialog closes.
    await page.evaluate(path => {
      void (window as any).jupyterapp.commands.execute('laketahoe:submit-notebook', { path });
    }, `${tmpPath}/hpo.ipynb`);
    const save = page.locator('.jp-Dialog-button', { hasText: 'Save and Continue' });
    if (await appears(save)) {
      await save.click();
    }

    const form = page.locator('.jp-laketahoe-SubmitForm');
    await expect(form).toBeVisible();
    const jobId = `ui_hpo_${Date.now()}`;
    await form.locator('input[name=jobId]').fill(jobId);
    await form.locator('input[name=hpoEnabled]').check();
    const section = form.locator('.jp-laketahoe-HpoSection');
    // Rows are proposed from the parameters cell: a float range on a log scale, an integer range.
    const x = section.locator('.jp-laketahoe-HpoParams-row[data-parameter="x"]');
    const y = section.locator('.jp-laketahoe-HpoParams-row[data-parameter="y"]');
    await expect(x.locator('select[name=type]')).toHaveValue('DOUBLE');
    await expect(x.locator('select[name=scale]')).toHaveValue('UNIT_LOG_SCALE');
    await expect(y.locator('select[name=type]')).toHaveValue('INTEGER');

    // A client-side check: a log scale needs positive bounds.
    await x.locator('input[name=min]').fill('0');
    await expect(x).toHaveClass(/jp-laketahoe-mod-invalid/);
    await x.locator('input[name=min]').fill('0.05');
    await expect(x).not.toHaveClass(/jp-laketahoe-mod-invalid/);

    await section.locator('input[name=hpoMetricTag]').fill('score');
    await section.locator('input[name=hpoMaxTrials]').fill('4');
    await section.locator('input[name=hpoMaxParallelTrials]').fill('2');
    await page.locator('.jp-Dialog-button.jp-mod-accept', { hasText: 'Submit' }).click();
    await expect(form).toHaveCount(0);

    // Submitting a tuning job opens its trials browser.
    const trials = page.locator(`.jp-laketahoe-Trials[data-job-id="${jobId}"]`);
    await expect(trials).toBeVisible();
    const grid = trials.locator('.jp-laketahoe-TrialsGrid');
    await expect(grid).toHaveAttribute('data-rows', /^[1-9]\d*$/, { timeout: 120_000 });
    await expect(trials).toHaveAttribute('data-finished-count', '4', { timeout: 300_000 });
    await expect(trials).toHaveAttribute('data-trial-count', '4');
    await expect(grid).toHaveAttribute('data-rows', '4');
    await expect(trials).toHaveAttribute('data-best-trial', /^[1-4]$/);
    await expect(trials.locator('.jp-laketahoe-TrialsPlot[data-plot="history"] canvas').first()).toBeVisible();
    await expect(trials.locator('.jp-laketahoe-TrialsPlot[data-plot="parallel"] canvas')).toHaveCount(1);

    // Selecting the first row shows that trial and its log.
    const box = await grid.boundingBox();
    expect(box).not.toBeNull();
    await page.mouse.click(box!.x + 40, box!.y + 28 + 12);
    const detail = trials.locator('.jp-laketahoe-TrialDetail[data-trial-id]');
    await expect(detail).toBeVisible();
    await expect(detail.locator('.jp-laketahoe-LogView-line', { hasText: 'score' }).first()).toBeVisible({
      timeout: 60_000
    });
    const body = await trials.screenshot();
    await testInfo.attach('trials', { body, contentType: 'image/png' });
  });
});
