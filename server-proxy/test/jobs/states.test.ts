import { canTransition, isTerminal } from '../../src/jobs/states.js';
import { transition } from '../../src/orchestration/statusUpdater.js';
import type { JobRecord } from '../../src/store/store.js';
import { JOB_STATES } from '../../src/schemas/jobs.js';

function record(): JobRecord {
  return {
    job: {
      jobId: 'j',
      owner: 'o',
      state: 'QUEUED',
      createTime: '2026-01-01T00:00:00.000Z',
      startTime: null,
      endTime: null,
      errorMessage: '',
      labels: {},
      trainingInput: {},
      trainingOutput: { completedCells: 0, totalCells: 0, latestMetrics: {}, resources: { cpu: 1, memoryBytes: 1, gpus: [] } },
      stateHistory: [{ state: 'QUEUED', time: '2026-01-01T00:00:00.000Z', reason: '' }]
    },
    runtime: {}
  };
}

describe('job state machine', () => {
  test('the normal path and cancellation paths are allowed', () => {
    expect(canTransition('QUEUED', 'PREPARING')).toBe(true);
    expect(canTransition('PREPARING', 'RUNNING')).toBe(true);
    expect(canTransition('RUNNING', 'SUCCEEDED')).toBe(true);
    expect(canTransition('RUNNING', 'FAILED')).toBe(true);
    expect(canTransition('QUEUED', 'CANCELLED')).toBe(true);
    expect(canTransition('RUNNING', 'CANCELLING')).toBe(true);
    expect(canTransition('CANCELLING', 'CANCELLED')).toBe(true);
  });

  test('terminal states are final and shortcuts are refused', () => {
    for (const s of ['SUCCEEDED', 'FAILED', 'CANCELLED'] as const) {
      expect(isTerminal(s)).toBe(true);
      for (const to of JOB_STATES) {
        expect(canTransition(s, to)).toBe(false);
      }
    }
    expect(canTransition('QUEUED', 'RUNNING')).toBe(false);
    expect(canTransition('QUEUED', 'CANCELLING')).toBe(false);
    expect(canTransition('CANCELLING', 'SUCCEEDED')).toBe(false);
  });

  test('transition records history, start and end times', () => {
    const r = record();
    transition(r, 'PREPARING', 'go', new Date('2026-01-01T00:00:01Z'));
    transition(r, 'RUNNING', 'started', new Date('2026-01-01T00:00:02Z'));
    transition(r, 'SUCCEEDED', 'done', new Date('2026-01-01T00:00:03Z'));
    expect(r.job.stateHistory.map(h => h.state)).toEqual(['QUEUED', 'PREPARING', 'RUNNING', 'SUCCEEDED']);
    expect(r.job.startTime).toBe('2026-01-01T00:00:01.000Z');
    expect(r.job.endTime).toBe('2026-01-01T00:00:03.000Z');
    expect(() => transition(r, 'RUNNING')).toThrow(/cannot become RUNNING/);
  });
});
