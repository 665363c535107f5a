/**
 * Serving in a real JupyterLab: a notebook job trains and saves a model, the job detail deploys it,
 * a real model server answers a test request from the deployment view, and the monitoring view shows
 * the request series, drift against the training baseline and alerts.
 */
import { expect, test } from '@jupyterlab/galata';
import type { Page, TestInfo } from '@playwright/test';
import * as path from 'path';

const TRAIN = path.resolve(__dirname, 'notebooks', 'train_model.ipynb');

/** Saves a screenshot of `selector` as an artifact of the running test. */
async function attachScreenshot(page: Page, testInfo: TestInfo, name: string, selector: string): Promise<void> {
  const body = await page.locator(selector).first().screenshot();
  await testInfo.attach(name, { body, contentType: 'image/png' });
}

/** Runs a command of the application without waiting for dialogs it opens to close. */
async function execute(page: Page, command: string, args: Record<string, unknown> = {}): Promise<void> {
  await page.evaluate(({ command, args }) => {
    void (window as any).jupyterapp.commands.execute(command, args);
  }, { command, args });
}

/** Submits a notebook job through the proxied REST API; the submit form has its own tests. */
async function submitJob(page: Page, jobId: string, notebook: string, parameters: Record<string, unknown>): Promise<void> {
  const status = await page.evaluate(
    async ({ jobId, notebook, parameters }) => {
      const base = (window as any).jupyterapp.serviceManager.serverSettings.baseUrl + 'laketahoe/api/v1';
      const response = await fetch(`${base}/jobs`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ jobId, trainingInput: { scaleTier: 'BASIC', notebook: { path: notebook, parameters } } })
      });
      return `${response.status} ${response.status === 201 ? '' : await response.text()}`;
    },
    { jobId, notebook, parameters }
  );
  expect(status.trim()).toBe('201');
}

/** An OIP v2 request (either signature layout) as the test form holds it. */
interface IRequest {
  inputs: { name: string; shape: number[]; datatype: string; data: number[] }[];
  parameters?: Record<string, unknown>;
}

/** `rows` copies of the prefilled row, moved far from the training data, so the live window drifts. */
function driftedRequest(prefilled: IRequest, rows: number): string {
  const inputs = prefilled.inputs.map(input => ({
    ...input,
    shape: [rows, ...input.shape.slice(1)],
    data: Array.from({ length: rows }, (_, i) => input.data.map(v => v * 1.8 + 1 + (i % 5) * 0.1)).flat()
  }));
  return JSON.stringify({ ...prefilled, inputs }, null, 2);
}

test.describe('LakeTahoe serving', () => {
  test('deploys a trained model, sends a test request and shows its monitoring', async ({ page, tmpPath }, testInfo) => {
    test.setTimeout(420_000);
    const stamp = Date.now();
    const modelName = `uiiris${stamp % 100000}`;
    await page.contents.uploadFile(TRAIN, `${tmpPath}/train_model.ipynb`);
    const jobId = `ui_train_${stamp}`;
    await submitJob(page, jobId, `${tmpPath}/train_model.ipynb`, { model_name: modelName });

    // The finished job offers "Deploy Model" once it reports the saved model.
    await execute(page, 'laketahoe:open-job', { jobId });
    const detail = page.locator(`.jp-laketahoe-JobDetail[data-job-id="${jobId}"]`);
    await expect(detail.locator('.jp-laketahoe-StateBadge').first()).toHaveAttribute('data-state', 'SUCCEEDED', {
      timeout: 180_000
    });
    const deployButton = detail.locator('.jp-laketahoe-JobDetail-deploy');
    await expect(deployButton).toBeVisible({ timeout: 30_000 });
    await deployButton.click();

    const form = page.locator('.jp-laketahoe-DeployForm');
    await expect(form).toBeVisible();
    // The proposed name is the saved model's (or the job's), made a valid deployment name.
    await expect(form.locator('input[name=deploymentName]')).toHaveValue(/^[a-z][a-z0-9-]*$/);
    const name = `ui-${modelName}`;
    await form.locator('input[name=deploymentName]').fill(name);
    await page.locator('.jp-Dialog-button.jp-mod-accept', { hasText: 'Deploy' }).click();
    await expect(form).toHaveCount(0);

    // The deployment view opens and follows the state pushed by the service.
    const view = page.locator(`.jp-laketahoe-DeploymentDetail[data-deployment="${name}"]`);
    await expect(view).toBeVisible();
    await expect(view).toHaveAttribute('data-state', 'READY', { timeout: 180_000 });
    await expect(view.locator('.jp-laketahoe-Timeline-entry[data-state="DEPLOYING"]')).toHaveCount(1);
    await expect(view.locator('.jp-laketahoe-Endpoint-url')).toContainText(`/laketahoe/api/v1/deployments/${name}/v2/models/`);
    await expect(view.locator('[data-snippet="python"] pre')).toContainText(`laketahoe.predict("${name}"`);
    await expect(view.locator('.jp-laketahoe-DeploymentDetail-openJob')).toContainText(jobId);
    await attachScreenshot(page, testInfo, 'deployment-overview', `.jp-laketahoe-DeploymentDetail[data-deployment="${name}"]`);

    // The test request is pre-filled from the signature: one row of the four iris features
    // (one input per column, as the notebook trains on a DataFrame).
    await view.locator('.jp-laketahoe-Tab-test').click();
    const body = view.locator('.jp-laketahoe-TestRequest-body');
    await expect(body).toHaveValue(/"inputs"/);
    const prefilled = JSON.parse(await body.inputValue()) as IRequest;
    expect(prefilled.inputs.map(input => input.data.length).reduce((a, b) => a + b, 0)).toBe(4);
    await view.locator('.jp-laketahoe-TestRequest-send').click();
    const result = view.locator('.jp-laketahoe-TestRequest-result');
    await expect(result).toHaveAttribute('data-ok', 'true');
    await expect(result.locator('.jp-laketahoe-TestRequest-response')).toContainText('"outputs"');
    await expect(result.locator('.jp-laketahoe-TestRequest-latency')).toContainText(/Answered in [0-9.]+ ms/);

    // A malformed request shows the server's reason.
    await body.fill(JSON.stringify({ ...prefilled, inputs: prefilled.inputs.slice(1) }));
    await view.locator('.jp-laketahoe-TestRequest-send').click();
    await expect(result).toHaveAttribute('data-ok', 'false');
    await expect(result.locator('.jp-laketahoe-TestRequest-error')).not.toBeEmpty();

    // Enough drifted rows for a drift report.
    await body.fill(driftedRequest(prefilled, 60));
    await view.locator('.jp-laketahoe-TestRequest-send').click();
    await expect(result).toHaveAttribute('data-ok', 'true');
    await attachScreenshot(page, testInfo, 'deployment-test-request', `.jp-laketahoe-DeploymentDetail[data-deployment="${name}"]`);

    // Monitoring: request charts (uPlot, loaded on demand), the drift table and its histograms.
    await view.locator('.jp-laketahoe-Tab-monitoring').click();
    await expect(view).toHaveAttribute('data-tab', 'monitoring');
    for (const chart of ['rate', 'errors', 'latency']) {
      await expect(view.locator(`.jp-laketahoe-MonitoringChart[data-chart="${chart}"] canvas`)).toHaveCount(1, {
        timeout: 60_000
      });
    }
    const rows = view.locator('.jp-laketahoe-DriftTable-row');
    await expect(rows).toHaveCount(4, { timeout: 60_000 });
    await expect(view.locator('.jp-laketahoe-DriftTable-row[data-drifted="true"]').first()).toBeVisible();
    await rows.first().click();
    await expect(view.locator('.jp-laketahoe-Histogram canvas').first()).toBeVisible();
    await attachScreenshot(page, testInfo, 'deployment-monitoring', `.jp-laketahoe-DeploymentDetail[data-deployment="${name}"]`);

    // The sidebar panel lists the deployment and the model version with its lineage.
    await execute(page, 'laketahoe:show-serving');
    const panel = page.locator('#laketahoe-serving');
    await expect(panel).toBeVisible();
    await expect(panel.locator(`.jp-laketahoe-DeploymentList-item[data-deployment="${name}"]`)).toHaveAttribute(
      'data-state',
      'READY'
    );
    await expect(panel.locator(`.jp-laketahoe-VersionList-item[data-model="${modelName}"]`).first()).toContainText(jobId);
    await attachScreenshot(page, testInfo, 'serving-panel-light', '#laketahoe-serving');
    await page.theme.setDarkTheme();
    await attachScreenshot(page, testInfo, 'serving-panel-dark', '#laketahoe-serving');
    await attachScreenshot(page, testInfo, 'deployment-monitoring-dark', `.jp-laketahoe-DeploymentDetail[data-deployment="${name}"]`);
    await page.theme.setLightTheme();

    // A second job saves a second version of the model; the overview switches the deployment to it.
    const retrainId = `ui_retrain_${stamp}`;
    await submitJob(page, retrainId, `${tmpPath}/train_model.ipynb`, { model_name: modelName, n_estimators: 20 });
    await expect(panel.locator(`.jp-laketahoe-VersionList-item[data-model="${modelName}"][data-version="2"]`)).toContainText(
      retrainId,
      { timeout: 180_000 }
    );
    await view.locator('.jp-laketahoe-Tab-overview').click();
    await view.locator('.jp-laketahoe-DeploymentDetail-version select').selectOption('2');
    await expect(view.locator('.jp-laketahoe-DeploymentDetail-model')).toContainText('version 2', { timeout: 180_000 });
    await expect(view).toHaveAttribute('data-state', 'READY', { timeout: 180_000 });
    await expect(view.locator('.jp-laketahoe-Timeline-entry[data-state="UPDATING"]')).toHaveCount(1);

    // Undeploy after confirming: the view says so and the panel drops the row.
    await view.locator('.jp-laketahoe-DeploymentDetail-undeploy').click();
    await page.locator('.jp-Dialog .jp-mod-accept', { hasText: 'Undeploy' }).click();
    await expect(panel.locator(`.jp-laketahoe-DeploymentList-item[data-deployment="${name}"]`)).toHaveCount(0, {
      timeout: 60_000
    });
  });
});
