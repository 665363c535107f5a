import { answersAgree, jsDistance, VersionMonitor } from '../../src/monitoring/versions.js';

const out = (data: unknown[]) => [{ name: 'predict', datatype: 'INT64', shape: [data.length], data }];

test('per-version figures: requests, returned answers, errors, percentiles and predictions', () => {
  const m = new VersionMonitor();
  for (let i = 1; i <= 100; i++) {
    m.record('k', { model: 'iris', version: 1, role: 'champion', returned: true, latencyMs: i, status: 200, outputs: out([0, 2]) });
  }
  m.record('k', { model: 'iris', version: 2, role: 'challenger', returned: false, latencyMs: 5, status: 500 });
  m.record('k', { model: 'iris', version: 2, role: 'challenger', returned: false, latencyMs: 7, status: 200, outputs: out([1, 2]) });
  const s = m.summary('k');
  expect(s.versions.map(v => [v.version, v.role, v.requests, v.returned, v.errors])).toEqual([
    [1, 'champion', 100, 100, 0],
    [2, 'challenger', 2, 0, 1]
  ]);
  expect(s.versions[0].latencyMs).toEqual({ p50: 51, p95: 96, p99: 100 });
  expect(s.versions[0].predictions).toEqual([
    { value: '0', count: 100 },
    { value: '2', count: 100 }
  ]);
  expect(s.versions[0].predictionMean).toBe(1);
  expect(s.predictionDrift).toBeGreaterThan(0);
});

test('shadow agreement counts pairs whose first outputs match', () => {
  const m = new VersionMonitor();
  m.recordShadow('k', out([1, 2]), out([1, 2]), true);
  m.recordShadow('k', out([1, 2]), out([1, 0]), true);
  m.recordShadow('k', out([1, 2]), undefined, false);
  m.dropped('k');
  const s = m.summary('k');
  expect(s.agreement).toEqual({ compared: 3, agreed: 1, rate: 1 / 3 });
  expect(s.shadowDropped).toBe(1);
  expect(s.recentShadow.map(p => p.agree)).toEqual([true, false, false]);
  m.reset('k');
  expect(m.summary('k').versions).toEqual([]);
});

test('answers agree at 6 significant digits; JS distance is 0 for equal and 1 for disjoint tables', () => {
  expect(answersAgree(out([0.1 + 0.2]), out([0.3]))).toBe(true);
  expect(answersAgree(out([1]), out([1, 1]))).toBe(false);
  expect(jsDistance(new Map([['a', 2]]), new Map([['a', 5]]))).toBe(0);
  expect(jsDistance(new Map([['a', 2]]), new Map([['b', 5]]))).toBe(1);
  expect(jsDistance(new Map(), new Map([['b', 5]]))).toBeNull();
});
