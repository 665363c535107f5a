/**
 * The deployment view's scaling form in a real JupyterLab, driven as a user would (keyboard where it is
 * natural): fixed replicas, autoscaling by requests in flight and by CPU, refused values, and back to
 * fixed replicas. The Kubernetes deployment it edits is played by helpers/kubeDeployment.ts, which
 * checks each change with the service's own schema and update rules; the local read-only case is in
 * challengers.spec.ts.
 */
import { expect, test } from '@jupyterlab/galata';
import type { Locator, Page } from '@playwright/test';
import { fakeKubeDeployment } from './helpers/kubeDeployment';

/** Calls the service's REST API through the proxy from the page; answers the status and the JSON body. */
async function api(page: Page, method: string, route: string): Promise<{ status: number; json: any }> {
  return page.evaluate(
    async ({ method, route }) => {
      const base = (window as any).jupyterapp.serviceManager.serverSettings.baseUrl + 'laketahoe';
      const response = await fetch(base + route, { method });
      const text = await response.text();
      return { status: response.status, json: text ? JSON.parse(text) : null };
    },
    { method, route }
  );
}

/** Runs a command of the application without waiting for what it opens. */
async function execute(page: Page, command: string, args: Record<string, unknown> = {}): Promise<void> {
  await page.evaluate(
    ({ command, args }) => {
      void (window as any).jupyterapp.commands.execute(command, args);
    },
    { command, args }
  );
}

/** Replaces a field's value from the keyboard: focus, select all, type. */
async function typeInto(field: Locator, value: string): Promise<void> {
  await field.focus();
  await field.press('ControlOrMeta+a');
  await field.pressSequentially(value);
}

test.describe('LakeTahoe deployment scaling', () => {
  test('sets replicas, autoscales by requests in flight and by CPU, refuses bad values, and turns autoscaling off', async ({
    page
  }) => {
    const name = `ui-scale-${Date.now() % 100000}`;
    const deployment = await fakeKubeDeployment(page, name);
    const stored = async () => (await api(page, 'GET', `/api/v1/deployments/${name}`)).json;

    await execute(page, 'laketahoe:open-deployment', { name });
    const view = page.locator(`.jp-laketahoe-DeploymentDetail[data-deployment="${name}"]`);
    await expect(view).toHaveAttribute('data-state', 'READY');
    const form = view.getByRole('form', { name: 'Replicas and autoscaling' });
    const replicas = form.getByLabel('Replicas', { exact: true });
    const autoscale = form.getByLabel('Autoscale');
    const min = form.getByLabel('Minimum replicas');
    const max = form.getByLabel('Maximum replicas');
    const metric = form.getByLabel('Scale by');
    const inflight = form.getByLabel('Target requests in flight per replica');
    const cpu = form.getByLabel('Target CPU per replica (% of its request)');
    const delay = form.getByLabel('Scale down after (seconds of lower load)');
    const apply = form.getByRole('button', { name: 'Apply' });
    const summary = form.locator('.jp-laketahoe-Scaling-summary');

    // Fixed replicas: nothing to apply until edited; Enter applies.
    await expect(summary).toHaveText('Fixed at 2 replicas.');
    await expect(replicas).toHaveValue('2');
    await expect(autoscale).not.toBeChecked();
    await expect(apply).toBeDisabled();
    await typeInto(replicas, '3');
    await expect(apply).toBeEnabled();
    await replicas.press('Enter');
    await expect(apply).toBeDisabled();
    expect(deployment.patches).toEqual([{ replicas: 3, autoscaling: null }]);
    expect(await stored()).toMatchObject({ replicas: 3 });
    expect((await stored()).autoscaling).toBeUndefined();
    await expect(replicas).toHaveValue('3');
    await expect(summary).toHaveText('Fixed at 3 replicas.');
    await expect(view.locator('.jp-laketahoe-Timeline-reason', { hasText: 'scaled from 2 to 3 replicas' })).toHaveCount(1);

    // Refused by the service's schema: more replicas than it allows, shown beside the field; nothing is stored.
    await typeInto(replicas, '20');
    await replicas.press('Enter');
    await expect(form.locator('[data-field="replicas"] [role="alert"]')).toHaveText('replicas: must be <= 16');
    await expect(replicas).toHaveAttribute('aria-invalid', 'true');
    expect(await stored()).toMatchObject({ replicas: 3 });
    await expect(summary).toHaveText('Fixed at 3 replicas.');

    // Autoscaling by requests in flight: Space ticks the box, the replicas field gives way to the bounds.
    await autoscale.focus();
    await page.keyboard.press('Space');
    await expect(autoscale).toBeChecked();
    await expect(replicas).toHaveCount(0);
    await expect(metric).toHaveValue('inflight');
    await typeInto(min, '1');
    await typeInto(max, '4');
    await typeInto(inflight, '6');
    await expect(delay).toHaveValue('');
    await typeInto(delay, '120');
    await delay.press('Enter');
    await expect(apply).toBeDisabled();
    expect((await stored()).autoscaling).toEqual({
      minReplicas: 1,
      maxReplicas: 4,
      targetInflight: 6,
      scaleDownDelaySeconds: 120
    });
    await expect(summary).toHaveText(
      'Autoscaling between 1 and 4 replicas, aiming at 6 requests in flight per replica; 3 replicas now.'
    );

    // Reopened, the view shows what is stored.
    await page.evaluate(name => {
      const app = (window as any).jupyterapp;
      for (const widget of app.shell.widgets('main')) {
        if (widget.node.querySelector(`.jp-laketahoe-DeploymentDetail[data-deployment="${name}"]`)) {
          widget.close();
        }
      }
    }, name);
    await expect(view).toHaveCount(0);
    await execute(page, 'laketahoe:open-deployment', { name });
    await expect(view).toHaveAttribute('data-state', 'READY');
    await expect(autoscale).toBeChecked();
    await expect(min).toHaveValue('1');
    await expect(max).toHaveValue('4');
    await expect(inflight).toHaveValue('6');
    await expect(delay).toHaveValue('120');
    await expect(metric).toHaveValue('inflight');
    await expect(summary).toHaveText(/^Autoscaling between 1 and 4 replicas, aiming at 6 requests in flight/);

    // Refused by the service: minimum above maximum, shown beside the minimum; nothing is stored.
    const before = deployment.stored();
    await typeInto(min, '5');
    await min.press('Enter');
    const minError = form.locator('[data-field="autoscaling.minReplicas"] [role="alert"]');
    await expect(minError).toHaveText('minReplicas 5 is above maxReplicas 4');
    await expect(min).toHaveAttribute('aria-invalid', 'true');
    await expect(max).toHaveAttribute('aria-invalid', 'false');
    expect(deployment.stored()).toEqual(before);
    await expect(summary).toHaveText(/^Autoscaling between 1 and 4 replicas/);
    await typeInto(min, '0');

    // By CPU (Kubernetes measures it): the target field replaces the in-flight one, 60% by default.
    await metric.focus();
    await metric.selectOption('cpu');
    await expect(inflight).toHaveCount(0);
    await expect(cpu).toHaveValue('60');
    await expect(cpu).toHaveAttribute('max', '90');

    // Refused by the browser: a CPU target above 90% is never sent.
    const sent = deployment.patches.length;
    await typeInto(cpu, '95');
    await cpu.press('Enter');
    expect(await cpu.evaluate((input: HTMLInputElement) => input.validity.rangeOverflow)).toBe(true);
    expect(await cpu.evaluate((input: HTMLInputElement) => input.validationMessage)).toContain('90');
    await expect(apply).toBeEnabled();
    expect(deployment.patches).toHaveLength(sent);

    // Refused by the service: CPU cannot wake a deployment at zero replicas; the message names the minimum.
    await typeInto(cpu, '50');
    await cpu.press('Enter');
    await expect(minError).toHaveText(
      'metric cpu needs minReplicas of at least 1 (scale to zero follows requests in flight only)'
    );
    expect(deployment.patches).toHaveLength(sent + 1);
    expect(deployment.stored()).toEqual(before);

    await typeInto(min, '1');
    await min.press('Enter');
    await expect(apply).toBeDisabled();
    await expect(minError).toHaveCount(0);
    // The scale-down delay, not edited here, is kept.
    expect((await stored()).autoscaling).toEqual({
      minReplicas: 1,
      maxReplicas: 4,
      metric: 'cpu',
      targetCpuPercent: 50,
      scaleDownDelaySeconds: 120
    });
    await expect(metric).toHaveValue('cpu');
    await expect(cpu).toHaveValue('50');
    await expect(summary).toHaveText('Autoscaling between 1 and 4 replicas, aiming at 50% CPU per replica; 3 replicas now.');

    // Autoscaling off: fixed replicas again, from the count the deployment has.
    await autoscale.focus();
    await page.keyboard.press('Space');
    await expect(autoscale).not.toBeChecked();
    await expect(min).toHaveCount(0);
    await expect(replicas).toHaveValue('3');
    await typeInto(replicas, '2');
    await replicas.press('Enter');
    await expect(apply).toBeDisabled();
    const last = await stored();
    expect(last.autoscaling).toBeUndefined();
    expect(last.replicas).toBe(2);
    await expect(replicas).toHaveValue('2');
    await expect(autoscale).not.toBeChecked();
    await expect(summary).toHaveText('Fixed at 2 replicas.');
  });
});
