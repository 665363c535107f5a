import { ReactWidget } from '@jupyterlab/apputils';
import { nullTranslator } from '@jupyterlab/translation';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import React, { act } from 'react';

import { VersionComparison } from '../components/VersionComparison';
import {
  bestTrials,
  ComparisonModel,
  comparisonSeries,
  deployChallengers
} from '../model/challengers';
import { IDeployment, IVersionComparison } from '../wire';
import { makeDeployment, makeTrial } from './helpers';

const trans = nullTranslator.load('laketahoe');
(
  globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }
).IS_REACT_ACT_ENVIRONMENT = true;

const COMPARISON: IVersionComparison = {
  versions: [
    {
      model: 'iris',
      version: 1,
      role: 'champion',
      requests: 90,
      returned: 90,
      errors: 0,
      errorRate: 0,
      latencyMs: { p50: 2, p95: 3, p99: 4 },
      predictions: [{ value: '0', count: 60 }],
      predictionMean: 0.5,
      agreement: null,
      predictionDrift: null
    },
    {
      model: 'iris',
      version: 2,
      role: 'challenger',
      requests: 90,
      returned: 0,
      errors: 9,
      errorRate: 0.1,
      latencyMs: { p50: 4, p95: 6, p99: 8 },
      predictions: [{ value: '1', count: 60 }],
      predictionMean: 1,
      agreement: { compared: 90, agreed: 72, rate: 0.8 },
      predictionDrift: 0.5
    },
    {
      model: 'iris',
      version: 3,
      role: 'challenger',
      requests: 90,
      returned: 0,
      errors: 0,
      errorRate: 0,
      latencyMs: { p50: 1, p95: 1, p99: 1 },
      predictions: [{ value: '0', count: 60 }],
      predictionMean: 0.5,
      agreement: { compared: 90, agreed: 90, rate: 1 },
      predictionDrift: 0
    }
  ],
  agreement: { compared: 180, agreed: 162, rate: 0.9 },
  shadowDropped: 0,
  predictionDrift: 0.5,
  recentShadow: []
};

describe('bestTrials', () => {
  const trials = [
    makeTrial('1', 'SUCCEEDED', 0.7),
    makeTrial('2', 'SUCCEEDED', 0.9),
    makeTrial('3', 'FAILED', 0.99),
    makeTrial('4', 'SUCCEEDED', 0.8),
    makeTrial('5', 'SUCCEEDED', 0.9),
    makeTrial('6', 'RUNNING', null)
  ];

  it('ranks succeeded trials by objective for the goal, lower id first on a tie', () => {
    expect(bestTrials(trials, 'MAXIMIZE').map(t => t.trialId)).toEqual([
      '2',
      '5',
      '4'
    ]);
    expect(bestTrials(trials, 'MINIMIZE', 2).map(t => t.trialId)).toEqual([
      '1',
      '4'
    ]);
  });
});

describe('deployChallengers', () => {
  const champion = makeDeployment('iris-prod', 'READY');
  const serving = (
    version: number,
    mode: 'canary' | 'shadow',
    weight: number
  ) => ({
    model: { name: 'iris', version },
    mode,
    weight,
    state: 'READY' as const,
    errorMessage: '',
    restarts: 0
  });

  function fakeClient() {
    const calls: unknown[] = [];
    let next = 7;
    const client = {
      registerJobModel: jest.fn(async (jobId: string, trialId?: string) => {
        calls.push(['register', jobId, trialId]);
        return { name: 'iris', version: next++ } as any;
      }),
      updateDeployment: jest.fn(async (name: string, body: any) => {
        calls.push(['patch', name, body]);
        return {
          ...champion,
          challengers: body.challengers.map((c: any) => ({
            ...c,
            state: 'DEPLOYING'
          }))
        } as IDeployment;
      })
    };
    return { client, calls };
  }

  it('registers the best three trials and serves them as canary challengers in one change', async () => {
    const { client, calls } = fakeClient();
    const result = await deployChallengers(client, champion, 'hpo', [
      '2',
      '5',
      '4'
    ]);
    const canary = (version: number) => ({
      model: { name: 'iris', version },
      mode: 'canary',
      weight: 10
    });
    expect(calls).toEqual([
      ['register', 'hpo', '2'],
      ['register', 'hpo', '5'],
      ['register', 'hpo', '4'],
      ['patch', 'iris-prod', { challengers: [canary(7), canary(8), canary(9)] }]
    ]);
    expect(result.deployed).toEqual(['2', '5', '4']);
    expect(result.serving).toEqual([]);
    expect(result.skipped).toEqual([]);
    expect(result.deployment.challengers?.map(c => c.weight)).toEqual([
      10, 10, 10
    ]);
  });

  it('keeps the challengers already there and fills only the places left', async () => {
    const { client, calls } = fakeClient();
    const busy = makeDeployment('iris-prod', 'READY', {
      challengers: [serving(3, 'shadow', 0)]
    });
    const result = await deployChallengers(client, busy, 'hpo', [
      '2',
      '5',
      '4'
    ]);
    expect(calls[calls.length - 1]).toEqual([
      'patch',
      'iris-prod',
      {
        challengers: [
          { model: { name: 'iris', version: 3 }, mode: 'shadow', weight: 0 },
          { model: { name: 'iris', version: 7 }, mode: 'canary', weight: 10 },
          { model: { name: 'iris', version: 8 }, mode: 'canary', weight: 10 }
        ]
      }
    ]);
    expect(result.deployed).toEqual(['2', '5']);
    expect(result.skipped).toEqual(['4']);
  });

  it("passes over the trial whose model is the champion's", async () => {
    const { client, calls } = fakeClient();
    // Trial 5 registered as version 1: the champion's (makeDeployment serves iris version 1).
    client.registerJobModel.mockImplementation(
      async (jobId: string, trialId?: string) => {
        calls.push(['register', jobId, trialId]);
        return {
          name: 'iris',
          version: { '2': 7, '5': 1, '4': 9 }[trialId!]
        } as any;
      }
    );
    const result = await deployChallengers(client, champion, 'hpo', [
      '2',
      '5',
      '4'
    ]);
    expect(result.deployed).toEqual(['2', '4']);
    expect(result.serving).toEqual(['5']);
    expect(
      (calls[calls.length - 1] as any)[2].challengers.map(
        (c: any) => c.model.version
      )
    ).toEqual([7, 9]);
  });

  it('refuses a deployment with no place left, or no trial, before registering anything', async () => {
    const { client } = fakeClient();
    const full = makeDeployment('iris-prod', 'READY', {
      challengers: [
        serving(3, 'shadow', 0),
        serving(4, 'canary', 10),
        serving(5, 'canary', 10)
      ]
    });
    await expect(deployChallengers(client, full, 'hpo', ['1'])).rejects.toThrow(
      /serves 3 challengers already/
    );
    await expect(
      deployChallengers(client, champion, 'hpo', [])
    ).rejects.toThrow(/no succeeded trial/);
    expect(client.registerJobModel).not.toHaveBeenCalled();
  });
});

test('comparisonSeries gives one bar per version for latency, errors, requests and agreement', () => {
  const series = comparisonSeries(COMPARISON);
  expect(series.map(s => s.label)).toEqual([
    'p50 latency',
    'p99 latency',
    'error rate',
    'requests',
    'shadow agreement'
  ]);
  expect(series[1].bars).toEqual([
    { label: 'v1', role: 'champion', value: 4 },
    { label: 'v2', role: 'challenger', value: 8 },
    { label: 'v3', role: 'challenger', value: 1 }
  ]);
  expect(series[2].bars.map(b => b.value)).toEqual([0, 10, 0]);
  expect(series[4].bars.map(b => b.value)).toEqual([null, 80, 100]);
});

describe('ComparisonModel', () => {
  it('loads the comparison and promotes, reloading afterwards', async () => {
    const client = {
      getVersionComparison: jest.fn(async () => COMPARISON),
      promoteDeployment: jest.fn(async () =>
        makeDeployment('iris-prod', 'READY')
      )
    };
    const model = new ComparisonModel('iris-prod', client as any);
    await model.refresh();
    expect(model.comparison).toBe(COMPARISON);
    const promoted = await model.promote(3);
    expect(promoted?.name).toBe('iris-prod');
    expect(client.promoteDeployment).toHaveBeenCalledWith('iris-prod', 3);
    expect(client.getVersionComparison).toHaveBeenCalledTimes(2);
    expect(model.promoting).toBe(false);
  });

  it('keeps the error of a failed promotion', async () => {
    const client = {
      getVersionComparison: jest.fn(async () => COMPARISON),
      promoteDeployment: jest.fn(async () => {
        throw new Error('challenger version 2 is not ready');
      })
    };
    const model = new ComparisonModel('iris-prod', client as any);
    expect(await model.promote(2)).toBeNull();
    expect(model.error?.message).toMatch(/not ready/);
  });
});

describe('ComparisonModel.switchMode', () => {
  const challenger = {
    model: { name: 'iris', version: 2 },
    mode: 'canary' as const,
    weight: 10,
    state: 'READY' as const,
    errorMessage: '',
    restarts: 0
  };

  it('asks for a shadow copy of the same version, then a 10% canary again', async () => {
    const client = {
      getVersionComparison: jest.fn(async () => COMPARISON),
      updateDeployment: jest.fn(async () =>
        makeDeployment('iris-prod', 'READY')
      )
    };
    const model = new ComparisonModel('iris-prod', client as any);
    expect(await model.switchMode(challenger, 'shadow')).not.toBeNull();
    expect(client.updateDeployment).toHaveBeenLastCalledWith('iris-prod', {
      challenger: { model: { name: 'iris', version: 2 }, mode: 'shadow' }
    });
    await model.switchMode({ ...challenger, mode: 'shadow' }, 'canary');
    expect(client.updateDeployment).toHaveBeenLastCalledWith('iris-prod', {
      challenger: {
        model: { name: 'iris', version: 2 },
        mode: 'canary',
        weight: 10
      }
    });
    expect(client.getVersionComparison).toHaveBeenCalledTimes(2);
    expect(model.promoting).toBe(false);
  });

  it('keeps the error the service answered', async () => {
    const client = {
      getVersionComparison: jest.fn(async () => COMPARISON),
      updateDeployment: jest.fn(async () => {
        throw new Error('challenger.mode must be canary or shadow');
      })
    };
    const model = new ComparisonModel('iris-prod', client as any);
    expect(await model.switchMode(challenger, 'shadow')).toBeNull();
    expect(model.error?.message).toMatch(/challenger.mode/);
  });
});

describe('VersionComparison', () => {
  async function render(
    props: Partial<React.ComponentProps<typeof VersionComparison>>
  ) {
    const onPromote = jest.fn();
    const widget = ReactWidget.create(
      <VersionComparison
        comparison={COMPARISON}
        promoting={false}
        error={null}
        onPromote={onPromote}
        challengers={[]}
        trans={trans}
        {...props}
      />
    );
    await act(async () => {
      Widget.attach(widget, document.body);
      MessageLoop.sendMessage(widget, Widget.Msg.UpdateRequest);
    });
    for (let i = 0; i < 200 && !widget.node.firstChild; i++) {
      await act(() => new Promise(resolve => setTimeout(resolve, 10)));
    }
    return { node: widget.node, onPromote, unmount: () => widget.dispose() };
  }

  it('shows every version, the agreement per challenger, plots and a Promote button per ready challenger', async () => {
    const challenger = (version: number) => ({
      model: { name: 'iris', version },
      mode: 'shadow' as const,
      weight: 0,
      state: 'READY' as const,
      errorMessage: '',
      restarts: 0
    });
    const { node, onPromote, unmount } = await render({
      challengers: [challenger(2), challenger(3)]
    });
    const rows = [...node.querySelectorAll('tbody tr')].map(r =>
      [...r.querySelectorAll('td')].map(td => td.textContent)
    );
    expect(rows[0].slice(0, 8)).toEqual([
      '1',
      'champion',
      '90',
      '90',
      '0.0%',
      '2.0',
      '3.0',
      '4.0'
    ]);
    expect(rows[0][8]).toBe('–');
    expect(rows[1].slice(0, 5)).toEqual([
      '2',
      'challenger',
      '90',
      '0',
      '10.0%'
    ]);
    expect(rows[1][8]).toBe('80.0%');
    expect(rows[2].slice(0, 2)).toEqual(['3', 'challenger']);
    expect(rows[2][8]).toBe('100.0%');
    expect(node.textContent).toContain(
      'Shadow agreement, all challengers: 90.0% of 180 requests'
    );
    expect(node.textContent).toContain(
      'Challenger version 3 gets a shadow copy of every request'
    );
    expect(node.querySelectorAll('.jp-laketahoe-Comparison-plot')).toHaveLength(
      5
    );
    const p99 = node.querySelector('[data-figure="p99 latency"]')!;
    const widths = [...p99.querySelectorAll('rect')].map(r =>
      Number(r.getAttribute('width'))
    );
    expect(widths[1]).toBeGreaterThan(widths[0]);
    const promote = node.querySelectorAll<HTMLButtonElement>(
      '.jp-laketahoe-Comparison-promote'
    );
    expect(promote).toHaveLength(2);
    expect(promote[1].getAttribute('aria-label')).toBe('Promote version 3');
    expect(promote[1].disabled).toBe(false);
    act(() => promote[1].click());
    expect(onPromote).toHaveBeenCalledTimes(1);
    expect(onPromote.mock.calls[0][0].model.version).toBe(3);
    unmount();
  });

  it('disables Promote while the challenger is not ready; says when no request came yet', async () => {
    const { node, unmount } = await render({
      comparison: { ...COMPARISON, versions: [] },
      challengers: [
        {
          model: { name: 'iris', version: 2 },
          mode: 'canary',
          weight: 10,
          state: 'DEPLOYING',
          errorMessage: '',
          restarts: 0
        }
      ]
    });
    expect(
      node.querySelector<HTMLButtonElement>('.jp-laketahoe-Comparison-promote')!
        .disabled
    ).toBe(true);
    expect(node.textContent).toContain('answers 10% of requests');
    expect(node.textContent).toContain('No requests yet.');
    unmount();
  });

  it('says that a champion alone has nothing to compare', async () => {
    const { node, unmount } = await render({
      comparison: { ...COMPARISON, versions: [] },
      challengers: []
    });
    expect(node.textContent).toContain(
      'No challenger: versions are compared while a challenger serves beside the champion.'
    );
    expect(node.textContent).not.toContain('No requests yet.');
    expect(node.querySelector('.jp-laketahoe-Comparison-table')).toBeNull();
    unmount();
  });

  it('offers the other mode: shadow for a canary, canary for a shadow', async () => {
    const onSwitchMode = jest.fn();
    const challenger = {
      model: { name: 'iris', version: 2 },
      mode: 'canary' as const,
      weight: 10,
      state: 'READY' as const,
      errorMessage: '',
      restarts: 0
    };
    const canary = await render({ challengers: [challenger], onSwitchMode });
    const toShadow = canary.node.querySelector<HTMLButtonElement>(
      '.jp-laketahoe-Comparison-mode'
    )!;
    expect(toShadow.textContent).toBe('Shadow instead');
    act(() => toShadow.click());
    expect(onSwitchMode).toHaveBeenLastCalledWith(challenger, 'shadow');
    canary.unmount();

    const shadow = await render({
      challengers: [{ ...challenger, mode: 'shadow', weight: 0 }],
      onSwitchMode,
      promoting: true
    });
    const toCanary = shadow.node.querySelector<HTMLButtonElement>(
      '.jp-laketahoe-Comparison-mode'
    )!;
    expect(toCanary.textContent).toBe('Canary instead');
    expect(toCanary.disabled).toBe(true);
    shadow.unmount();
  });
});
