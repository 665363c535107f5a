import { ReactWidget } from '@jupyterlab/apputils';
import { nullTranslator } from '@jupyterlab/translation';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import React, { act } from 'react';

import { LakeTahoeError } from '../api';
import {
  IScalingRequest,
  Scaling,
  summaryOf
} from '../widgets/deployment/Scaling';
import { IDeployment } from '../wire';
import { makeDeployment } from './helpers';

const trans = nullTranslator.load('laketahoe');
(
  globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }
).IS_REACT_ACT_ENVIRONMENT = true;

async function render(
  deployment: IDeployment,
  onSave: (request: IScalingRequest) => Promise<unknown>
) {
  const widget = ReactWidget.create(
    <Scaling deployment={deployment} onSave={onSave} trans={trans} />
  );
  await act(async () => {
    Widget.attach(widget, document.body);
    MessageLoop.sendMessage(widget, Widget.Msg.UpdateRequest);
  });
  for (let i = 0; i < 200 && !widget.node.firstChild; i++) {
    await act(() => new Promise(resolve => setTimeout(resolve, 10)));
  }
  return { node: widget.node, unmount: () => act(() => widget.dispose()) };
}

/** The input of a field, found by its label as a user (or screen reader) would. */
function input(node: HTMLElement, label: string): HTMLInputElement {
  const found = [...node.querySelectorAll('label')].find(
    l => l.textContent?.trim() === label
  );
  const id = found?.htmlFor;
  const element = id ? node.ownerDocument.getElementById(id) : null;
  if (!element) {
    throw new Error(`no input labelled ${label}`);
  }
  return element as HTMLInputElement;
}

/** Type a value the way React notices it. */
function type(element: HTMLInputElement, value: string): void {
  const setter = Object.getOwnPropertyDescriptor(
    HTMLInputElement.prototype,
    'value'
  )!.set!;
  act(() => {
    setter.call(element, value);
    element.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

async function submit(node: HTMLElement): Promise<void> {
  const form = node.querySelector('form')!;
  await act(async () => {
    form.dispatchEvent(
      new Event('submit', { bubbles: true, cancelable: true })
    );
  });
}

const kubernetes = (overrides: Partial<IDeployment> = {}) =>
  makeDeployment('iris-prod', 'READY', {
    backend: 'kubernetes',
    replicas: 2,
    ...overrides
  });

/** Ticks the form's Autoscale box. */
function tickAutoscale(node: HTMLElement): void {
  act(() =>
    node
      .querySelector<HTMLInputElement>('.jp-laketahoe-Scaling-autoscale')!
      .click()
  );
}

describe('Scaling', () => {
  it('shows a local deployment read-only: one replica, no form', async () => {
    const onSave = jest.fn();
    const { node, unmount } = await render(
      makeDeployment('iris-local', 'READY'),
      onSave
    );
    expect(node.querySelector('form')).toBeNull();
    expect(node.querySelector('input')).toBeNull();
    expect(
      node.querySelector('.jp-laketahoe-Scaling-replicas')?.textContent
    ).toBe('1');
    expect(node.textContent).toContain('apply on Kubernetes');
    unmount();
  });

  it('sends the replicas typed on Kubernetes, with autoscaling off', async () => {
    const onSave = jest.fn(async () => ({}));
    const { node, unmount } = await render(kubernetes(), onSave);
    const replicas = input(node, 'Replicas');
    expect(replicas.value).toBe('2');
    const apply = node.querySelector<HTMLButtonElement>(
      '.jp-laketahoe-Scaling-save'
    )!;
    expect(apply.disabled).toBe(true);
    type(replicas, '3');
    expect(apply.disabled).toBe(false);
    await submit(node);
    expect(onSave).toHaveBeenCalledWith({ replicas: 3, autoscaling: null });
    expect(apply.disabled).toBe(true);
    unmount();
  });

  it('switches to min/max/target in flight and sends them as autoscaling', async () => {
    const onSave = jest.fn(async () => ({}));
    const { node, unmount } = await render(kubernetes(), onSave);
    const toggle = node.querySelector<HTMLInputElement>(
      '.jp-laketahoe-Scaling-autoscale'
    )!;
    expect(toggle.checked).toBe(false);
    act(() => toggle.click());
    expect(() => input(node, 'Replicas')).toThrow();
    type(input(node, 'Minimum replicas'), '0');
    type(input(node, 'Maximum replicas'), '5');
    type(input(node, 'Target requests in flight per replica'), '8');
    await submit(node);
    expect(onSave).toHaveBeenCalledWith({
      autoscaling: { minReplicas: 0, maxReplicas: 5, targetInflight: 8 }
    });
    unmount();
  });

  it('scales by CPU: the metric chosen, the target percent of the CPU request sent', async () => {
    const onSave = jest.fn(async () => ({}));
    const { node, unmount } = await render(kubernetes(), onSave);
    tickAutoscale(node);
    const metric = input(node, 'Scale by') as unknown as HTMLSelectElement;
    expect(metric.value).toBe('inflight');
    const setter = Object.getOwnPropertyDescriptor(
      HTMLSelectElement.prototype,
      'value'
    )!.set!;
    act(() => {
      setter.call(metric, 'cpu');
      metric.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(() =>
      input(node, 'Target requests in flight per replica')
    ).toThrow();
    const target = input(node, 'Target CPU per replica (% of its request)');
    expect([target.value, target.max]).toEqual(['60', '90']);
    type(input(node, 'Minimum replicas'), '1');
    type(input(node, 'Maximum replicas'), '3');
    type(target, '50');
    await submit(node);
    expect(onSave).toHaveBeenCalledWith({
      autoscaling: {
        minReplicas: 1,
        maxReplicas: 3,
        metric: 'cpu',
        targetCpuPercent: 50
      }
    });
    unmount();
  });

  it('prefills CPU autoscaling', async () => {
    const { node, unmount } = await render(
      kubernetes({
        autoscaling: {
          minReplicas: 1,
          maxReplicas: 4,
          metric: 'cpu',
          targetCpuPercent: 40
        }
      }),
      jest.fn()
    );
    expect(
      (input(node, 'Scale by') as unknown as HTMLSelectElement).value
    ).toBe('cpu');
    expect(input(node, 'Target CPU per replica (% of its request)').value).toBe(
      '40'
    );
    unmount();
  });

  it('prefills the autoscaling the deployment has', async () => {
    const { node, unmount } = await render(
      kubernetes({
        autoscaling: { minReplicas: 1, maxReplicas: 4, targetInflight: 2 }
      }),
      jest.fn()
    );
    expect(
      node.querySelector<HTMLInputElement>('.jp-laketahoe-Scaling-autoscale')!
        .checked
    ).toBe(true);
    expect(input(node, 'Minimum replicas').value).toBe('1');
    expect(input(node, 'Maximum replicas').value).toBe('4');
    expect(input(node, 'Target requests in flight per replica').value).toBe(
      '2'
    );
    unmount();
  });

  it('keeps the stored scale-down delay when other fields change, and sends a typed one', async () => {
    const onSave = jest.fn(async () => ({}));
    const { node, unmount } = await render(
      kubernetes({
        autoscaling: {
          minReplicas: 0,
          maxReplicas: 4,
          targetInflight: 2,
          scaleDownDelaySeconds: 300
        }
      }),
      onSave
    );
    const delay = input(node, 'Scale down after (seconds of lower load)');
    expect([delay.value, delay.placeholder]).toEqual(['300', '60']);
    type(input(node, 'Maximum replicas'), '6');
    await submit(node);
    expect(onSave).toHaveBeenLastCalledWith({
      autoscaling: {
        minReplicas: 0,
        maxReplicas: 6,
        targetInflight: 2,
        scaleDownDelaySeconds: 300
      }
    });
    // Saved, the form follows the deployment again: here still its maximum of 4.
    type(delay, '30');
    await submit(node);
    expect(onSave).toHaveBeenLastCalledWith({
      autoscaling: {
        minReplicas: 0,
        maxReplicas: 4,
        targetInflight: 2,
        scaleDownDelaySeconds: 30
      }
    });
    unmount();
  });

  it('leaves the scale-down delay to the service when none is stored or typed', async () => {
    const onSave = jest.fn(async () => ({}));
    const { node, unmount } = await render(kubernetes(), onSave);
    tickAutoscale(node);
    const delay = input(node, 'Scale down after (seconds of lower load)');
    expect([delay.value, delay.required]).toEqual(['', false]);
    await submit(node);
    expect(onSave).toHaveBeenCalledWith({
      autoscaling: { minReplicas: 1, maxReplicas: 2, targetInflight: 4 }
    });
    unmount();
  });

  it('shows an API error beside the field it names, and marks that field invalid', async () => {
    const onSave = jest.fn(async () => {
      throw new LakeTahoeError(
        400,
        'invalid_argument',
        'autoscaling.maxReplicas must be at least minReplicas',
        'autoscaling.maxReplicas'
      );
    });
    const { node, unmount } = await render(
      kubernetes({ autoscaling: { minReplicas: 2, maxReplicas: 4 } }),
      onSave
    );
    const max = input(node, 'Maximum replicas');
    type(max, '1');
    await submit(node);
    expect(max.getAttribute('aria-invalid')).toBe('true');
    const describedBy = max.getAttribute('aria-describedby')!;
    expect(document.getElementById(describedBy)?.textContent).toBe(
      'autoscaling.maxReplicas must be at least minReplicas'
    );
    expect(input(node, 'Minimum replicas').getAttribute('aria-invalid')).toBe(
      'false'
    );
    // The typed value stays for the user to correct.
    expect(max.value).toBe('1');
    unmount();
  });

  it('shows an error without a field below the form', async () => {
    const onSave = jest.fn(async () => {
      throw new LakeTahoeError(503, 'unavailable', 'The service is down.');
    });
    const { node, unmount } = await render(kubernetes(), onSave);
    type(input(node, 'Replicas'), '4');
    await submit(node);
    const alerts = [...node.querySelectorAll('[role="alert"]')];
    expect(alerts.map(a => a.textContent)).toEqual(['The service is down.']);
    expect(input(node, 'Replicas').getAttribute('aria-invalid')).toBe('false');
    unmount();
  });
});

describe('summaryOf', () => {
  it('says what the deployment has: fixed replicas, or the autoscaling bounds, target and the count now', () => {
    expect(summaryOf(kubernetes({ replicas: 1 }), trans)).toBe(
      'Fixed at 1 replica.'
    );
    expect(summaryOf(kubernetes({ replicas: 3 }), trans)).toBe(
      'Fixed at 3 replicas.'
    );
    expect(
      summaryOf(
        kubernetes({
          replicas: 2,
          autoscaling: { minReplicas: 0, maxReplicas: 4, targetInflight: 6 }
        }),
        trans
      )
    ).toBe(
      'Autoscaling between 0 and 4 replicas, aiming at 6 requests in flight per replica; 2 replicas now.'
    );
    expect(
      summaryOf(
        kubernetes({
          replicas: 1,
          autoscaling: { minReplicas: 1, maxReplicas: 3, metric: 'cpu' }
        }),
        trans
      )
    ).toBe(
      'Autoscaling between 1 and 3 replicas, aiming at 60% CPU per replica; 1 replica now.'
    );
  });

  it('shows the stored settings above the form, not the draft', async () => {
    const { node, unmount } = await render(kubernetes(), jest.fn());
    const summary = node.querySelector('.jp-laketahoe-Scaling-summary')!;
    expect(summary.textContent).toBe('Fixed at 2 replicas.');
    type(input(node, 'Replicas'), '5');
    expect(summary.textContent).toBe('Fixed at 2 replicas.');
    unmount();
  });
});
