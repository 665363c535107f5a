/**
 * Champion and challengers in a real JupyterLab (local backend): a three-trial HPO job saves a model per
 * trial, the worst trial serves as the champion, "Deploy as challengers" in the trials browser puts the
 * other two trials' models beside it in one action (passing over the champion's own trial), the
 * deployment view compares the three versions after real requests, and Promote on one challenger makes
 * it the champion while the other stays.
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

test.describe('LakeTahoe champion and challengers', () => {
  test('deploys the best trials as challengers, compares them in shadow mode and promotes one', async ({ page, tmpPath }) => {
    test.setTimeout(420_000);
    const stamp = Date.now();
    const modelName = `uich${stamp % 100000}`;
    const jobId = `ui_challenge_${stamp}`;
    const name = `ui-champion-${stamp % 100000}`;
    await page.contents.uploadFile(NOTEBOOK, `${tmpPath}/hpo_models.ipynb`);

    // Three trials: depth-1, 2 and 3 trees (about 67%, 93% and 97% accuracy).
    const submitted = await api(page, 'POST', '/api/v1/jobs', {
      jobId,
      trainingInput: {
        scaleTier: 'BASIC',
        notebook: { path: `${tmpPath}/hpo_models.ipynb`, parameters: { model_name: modelName } },
        hyperparameters: {
          goal: 'MAXIMIZE',
          hyperparameterMetricTag: 'accuracy',
          algorithm: 'GRID_SEARCH',
          maxTrials: 3,
          maxParallelTrials: 3,
          params: [{ parameterName: 'max_depth', type: 'DISCRETE', discreteValues: [1, 2, 3] }]
        }
      }
    });
    expect(submitted.status).toBe(201);

    await execute(page, 'laketahoe:open-trials', { jobId });
    const trials = page.locator(`.jp-laketahoe-Trials[data-job-id="${jobId}"]`);
    await expect(trials).toBeVisible();
    await expect(trials).toHaveAttribute('data-finished-count', '3', { timeout: 240_000 });
    const best = await trials.getAttribute('data-best-trial');
    const listed = await api(page, 'GET', `/api/v1/jobs/${jobId}/trials`);
    const byAccuracy = (listed.json.trials as { trialId: string; finalMetric: { objectiveValue: number } }[])
      .slice()
      .sort((a, b) => b.finalMetric.objectiveValue - a.finalMetric.objectiveValue)
      .map(t => t.trialId);
    expect(byAccuracy[0]).toBe(best);
    const [, second, worst] = byAccuracy;

    // The champion: the worse trial's model, deployed through the API (the deploy form has its own test).
    const created = await api(page, 'POST', '/api/v1/deployments', { name, source: { jobId, trialId: worst } });
    expect(created.status).toBe(201);
    const championVersion = created.json.model.version as number;
    await execute(page, 'laketahoe:show-serving');
    await expect(
      page.locator(`#laketahoe-serving .jp-laketahoe-DeploymentList-item[data-deployment="${name}"]`)
    ).toHaveAttribute('data-state', 'READY', { timeout: 180_000 });

    // One action in the trials browser: pick the deployment, the two better trials serve beside its champion.
    await execute(page, 'laketahoe:open-trials', { jobId });
    await trials.locator('.jp-laketahoe-Trials-deployChallengers').click();
    const dialog = page.locator('.jp-Dialog');
    await dialog.locator('select').selectOption(name);
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
    await expect(
      page.locator('.jp-Notification-Toast-success', { hasText: `Trials ${best}, ${second} serve beside` })
    ).toBeVisible();
    await expect(page.locator('.jp-Notification-Toast-success', { hasText: `Trials ${worst} serve there already` })).toBeVisible();

    const view = page.locator(`.jp-laketahoe-DeploymentDetail[data-deployment="${name}"]`);
    await expect(view).toBeVisible();
    await expect(view.locator('.jp-laketahoe-DeploymentDetail-model')).toContainText(`version ${championVersion}`);
    await view.locator('.jp-laketahoe-Tab-monitoring').click();
    const challengerLines = view.locator('.jp-laketahoe-Comparison-challenger');
    await expect(challengerLines).toHaveCount(2);
    for (const i of [0, 1]) {
      await expect(challengerLines.nth(i)).toContainText(/Challenger version \d+ answers 10% of requests \(READY\)/, {
        timeout: 180_000
      });
    }
    const versions = await challengerLines.evaluateAll(lines => lines.map(l => Number(l.getAttribute('data-version'))));
    expect(versions).not.toContain(championVersion);
    const [bestVersion, secondVersion] = versions;

    // Shadow mode for both: every request mirrored to each challenger, the champion answers.
    for (const version of versions) {
      const line = view.locator(`.jp-laketahoe-Comparison-challenger[data-version="${version}"]`);
      await line.locator('.jp-laketahoe-Comparison-mode', { hasText: 'Shadow instead' }).click();
      await expect(line).toContainText(`Challenger version ${version} gets a shadow copy of every request`);
    }

    // Requests from the test tab's prefilled body, sent 12 times.
    await view.locator('.jp-laketahoe-Tab-test').click();
    const body = view.locator('.jp-laketahoe-TestRequest-body');
    await expect(body).toHaveValue(/"inputs"/);
    const request = JSON.parse(await body.inputValue());
    for (let i = 0; i < 12; i++) {
      const answer = await api(page, 'POST', created.json.endpoint, request);
      expect(answer.status).toBe(200);
    }

    // Side by side: the three versions with their requests and latency, and each challenger's agreement.
    await view.locator('.jp-laketahoe-Tab-monitoring').click();
    const champion = view.locator('.jp-laketahoe-Comparison-table tr[data-role="champion"]');
    const challengers = view.locator('.jp-laketahoe-Comparison-table tr[data-role="challenger"]');
    await expect(async () => {
      await view.locator('.jp-laketahoe-Monitoring-reload').click();
      await expect(champion.locator('td').nth(2)).toHaveText('12', { timeout: 2_000 });
      await expect(challengers.nth(0).locator('td').nth(2)).toHaveText('12', { timeout: 2_000 });
      await expect(challengers.nth(1).locator('td').nth(2)).toHaveText('12', { timeout: 2_000 });
    }).toPass({ timeout: 60_000 });
    await expect(champion.locator('td').first()).toHaveText(String(championVersion));
    await expect(challengers.locator('td:first-child')).toHaveText([...versions].sort((a, b) => a - b).map(String));
    // The champion returned every answer, the shadows none; all have a measured p50 and each shadow an agreement.
    await expect(champion.locator('td').nth(3)).toHaveText('12');
    await expect(champion.locator('td').nth(8)).toHaveText('–');
    for (const i of [0, 1]) {
      await expect(challengers.nth(i).locator('td').nth(3)).toHaveText('0');
      await expect(challengers.nth(i).locator('td').nth(5)).toHaveText(/^\d+\.\d$/);
      await expect(challengers.nth(i).locator('td').nth(8)).toHaveText(/^[0-9.]+%$/);
    }
    await expect(champion.locator('td').nth(5)).toHaveText(/^\d+\.\d$/);
    await expect(view.locator('.jp-laketahoe-Comparison-agreement')).toContainText(
      /Shadow agreement, all challengers: [0-9.]+% of 24 requests/
    );
    await expect(view.locator('[data-figure="shadow agreement"] rect')).toHaveCount(3);

    // Promote the best trial's version: it answers, the other challenger stays beside it.
    await view.locator(`.jp-laketahoe-Comparison-challenger[data-version="${bestVersion}"] .jp-laketahoe-Comparison-promote`).click();
    await expect(view.locator('.jp-laketahoe-DeploymentDetail-model')).toContainText(`version ${bestVersion}`, {
      timeout: 60_000
    });
    await expect(challengerLines).toHaveCount(1);
    await expect(challengerLines.first()).toHaveAttribute('data-version', String(secondVersion));
    await expect(view).toHaveAttribute('data-state', 'READY');

    // A local deployment shows its single replica read-only: no scaling form.
    await view.locator('.jp-laketahoe-Tab-overview').click();
    await expect(view.locator('.jp-laketahoe-Scaling-readonly .jp-laketahoe-Scaling-replicas')).toHaveText('1');
    await expect(view.locator('form.jp-laketahoe-Scaling')).toHaveCount(0);

    await api(page, 'DELETE', `/api/v1/deployments/${name}`);
  });
});
