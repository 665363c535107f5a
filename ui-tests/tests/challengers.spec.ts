/**
 * Champion and challenger in a real JupyterLab (local backend): a two-trial HPO job saves a model per
 * trial, the worse trial serves as the champion, "Deploy as challengers" in the trials browser puts the
 * best trial's model beside it, the deployment view compares both versions after real requests, and
 * Promote makes the challenger the champion.
 */
import { expect, test } from '@jupyterlab/galata';
import type { Page } from '@playwright/test';
import * as path from 'path';

const NOTEBOOK = path.resolve(__dirname, 'notebooks', 'hpo_models.ipynb');

/** Calls the service's REST API through the proxy from the page; answers the status and the JSON body. */
async function api(page: Page, method: string, route: string, body?: unknown): Promise<{ status: number; json: any }> {
  return page.evaluate(
    async ({ method, route, body }) => {
      const base = (window as any).jupyterapp.serviceManager.serverSettings.baseUrl + 'laketahoe';
      const response = await fetch(base + route, {
        method,
        headers: { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body)
      });
      const text = await response.text();
      return { status: response.status, json: text ? JSON.parse(text) : null };
    },
    { method, route, body }
  );
}

/** Runs a command of the application without waiting for dialogs it opens to close. */
async function execute(page: Page, command: string, args: Record<string, unknown> = {}): Promise<void> {
  await page.evaluate(
    ({ command, args }) => {
      void (window as any).jupyterapp.commands.execute(command, args);
    },
    { command, args }
  );
}

test.describe('LakeTahoe champion and challenger', () => {
  test('deploys the best trial as a challenger, compares it in shadow mode and promotes it', async ({ page, tmpPath }) => {
    test.setTimeout(420_000);
    const stamp = Date.now();
    const modelName = `uich${stamp % 100000}`;
    const jobId = `ui_challenge_${stamp}`;
    const name = `ui-champion-${stamp % 100000}`;
    await page.contents.uploadFile(NOTEBOOK, `${tmpPath}/hpo_models.ipynb`);

    // Two trials, a depth-1 tree (about 67% accuracy) and a depth-3 tree (about 97%).
    const submitted = await api(page, 'POST', '/api/v1/jobs', {
      jobId,
      trainingInput: {
        scaleTier: 'BASIC',
        notebook: { path: `${tmpPath}/hpo_models.ipynb`, parameters: { model_name: modelName } },
        hyperparameters: {
          goal: 'MAXIMIZE',
          hyperparameterMetricTag: 'accuracy',
          algorithm: 'GRID_SEARCH',
          maxTrials: 2,
          maxParallelTrials: 2,
          params: [{ parameterName: 'max_depth', type: 'DISCRETE', discreteValues: [1, 3] }]
        }
      }
    });
    expect(submitted.status).toBe(201);

    await execute(page, 'laketahoe:open-trials', { jobId });
    const trials = page.locator(`.jp-laketahoe-Trials[data-job-id="${jobId}"]`);
    await expect(trials).toBeVisible();
    await expect(trials).toHaveAttribute('data-finished-count', '2', { timeout: 240_000 });
    const best = await trials.getAttribute('data-best-trial');
    const listed = await api(page, 'GET', `/api/v1/jobs/${jobId}/trials`);
    const worst = (listed.json.trials as { trialId: string }[]).map(t => t.trialId).find(id => id !== best);
    expect(worst).toBeDefined();

    // The champion: the worse trial's model, deployed through the API (the deploy form has its own test).
    const created = await api(page, 'POST', '/api/v1/deployments', { name, source: { jobId, trialId: worst } });
    expect(created.status).toBe(201);
    const championVersion = created.json.model.version as number;
    await execute(page, 'laketahoe:show-serving');
    await expect(
      page.locator(`#laketahoe-serving .jp-laketahoe-DeploymentList-item[data-deployment="${name}"]`)
    ).toHaveAttribute('data-state', 'READY', { timeout: 180_000 });

    // One action in the trials browser: pick the deployment, the best trial serves beside its champion.
    await execute(page, 'laketahoe:open-trials', { jobId });
    await trials.locator('.jp-laketahoe-Trials-deployChallengers').click();
    const dialog = page.locator('.jp-Dialog');
    await dialog.locator('select').selectOption(name);
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
    await expect(page.locator('.jp-Notification-Toast-success', { hasText: `Trial ${best} serves beside` })).toBeVisible();

    const view = page.locator(`.jp-laketahoe-DeploymentDetail[data-deployment="${name}"]`);
    await expect(view).toBeVisible();
    await expect(view.locator('.jp-laketahoe-DeploymentDetail-model')).toContainText(`version ${championVersion}`);
    await view.locator('.jp-laketahoe-Tab-monitoring').click();
    const challengerLine = view.locator('.jp-laketahoe-Comparison-challenger');
    await expect(challengerLine).toContainText(/Challenger version \d+ answers 10% of requests \(READY\)/, {
      timeout: 180_000
    });
    const challengerVersion = Number(/version (\d+)/.exec((await challengerLine.textContent()) ?? '')![1]);
    expect(challengerVersion).not.toBe(championVersion);

    // Shadow mode: every request mirrored to the challenger, the champion answers.
    await view.locator('.jp-laketahoe-Comparison-mode', { hasText: 'Shadow instead' }).click();
    await expect(challengerLine).toContainText(`Challenger version ${challengerVersion} gets a shadow copy of every request`);

    // Requests from the test tab's prefilled body, sent 12 times.
    await view.locator('.jp-laketahoe-Tab-test').click();
    const body = view.locator('.jp-laketahoe-TestRequest-body');
    await expect(body).toHaveValue(/"inputs"/);
    const request = JSON.parse(await body.inputValue());
    for (let i = 0; i < 12; i++) {
      const answer = await api(page, 'POST', created.json.endpoint, request);
      expect(answer.status).toBe(200);
    }

    // Side by side: both versions with their requests and latency, and the agreement rate.
    await view.locator('.jp-laketahoe-Tab-monitoring').click();
    const champion = view.locator('.jp-laketahoe-Comparison-table tr[data-role="champion"]');
    const challenger = view.locator('.jp-laketahoe-Comparison-table tr[data-role="challenger"]');
    await expect(async () => {
      await view.locator('.jp-laketahoe-Monitoring-reload').click();
      await expect(champion.locator('td').nth(2)).toHaveText('12', { timeout: 2_000 });
      await expect(challenger.locator('td').nth(2)).toHaveText('12', { timeout: 2_000 });
    }).toPass({ timeout: 60_000 });
    await expect(champion.locator('td').first()).toHaveText(String(championVersion));
    await expect(challenger.locator('td').first()).toHaveText(String(challengerVersion));
    // The champion returned every answer, the shadow none; both have a measured p50.
    await expect(champion.locator('td').nth(3)).toHaveText('12');
    await expect(challenger.locator('td').nth(3)).toHaveText('0');
    await expect(champion.locator('td').nth(5)).toHaveText(/^\d+\.\d$/);
    await expect(challenger.locator('td').nth(5)).toHaveText(/^\d+\.\d$/);
    await expect(view.locator('.jp-laketahoe-Comparison-agreement')).toContainText(/Shadow agreement: [0-9.]+% of 12 requests/);

    // Promote: the challenger's version answers, and no challenger is left.
    await view.locator('.jp-laketahoe-Comparison-promote').click();
    await expect(view.locator('.jp-laketahoe-DeploymentDetail-model')).toContainText(`version ${challengerVersion}`, {
      timeout: 60_000
    });
    await expect(challengerLine).toHaveCount(0);
    await expect(view).toHaveAttribute('data-state', 'READY');

    // A local deployment shows its single replica read-only: no scaling form.
    await view.locator('.jp-laketahoe-Tab-overview').click();
    await expect(view.locator('.jp-laketahoe-Scaling-readonly .jp-laketahoe-Scaling-replicas')).toHaveText('1');
    await expect(view.locator('form.jp-laketahoe-Scaling')).toHaveCount(0);

    await api(page, 'DELETE', `/api/v1/deployments/${name}`);
  });
});
