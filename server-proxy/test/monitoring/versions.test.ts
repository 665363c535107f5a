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

test('shadow agreement is counted per challenger, and over all of them', () => {
  const m = new VersionMonitor();
  const copy = (version: number, data: unknown[] | undefined, status = 200) => {
    m.record('k', { model: 'iris', version, role: 'challenger', returned: false, latencyMs: 1, status, outputs: data && out(data) });
    m.recordShadow('k', version, out([1, 2]), data && out(data), status < 400);
  };
  m.record('k', { model: 'iris', version: 1, role: 'champion', returned: true, latencyMs: 1, status: 200, outputs: out([1, 2]) });
  copy(2, [1, 2]);
  copy(2, [1, 0]);
  copy(2, undefined, 503);
  copy(3, [1, 2]);
  m.dropped('k');
  const s = m.summary('k');
  const byVersion = Object.fromEntries(s.versions.map(v => [v.version, v]));
  expect(byVersion[1].agreement).toBeNull();
  expect(byVersion[1].predictionDrift).toBeNull();
  expect(byVersion[2].agreement).toEqual({ compared: 3, agreed: 1, rate: 1 / 3 });
  expect(byVersion[3].agreement).toEqual({ compared: 1, agreed: 1, rate: 1 });
  expect(byVersion[3].predictionDrift).toBe(0);
  expect(byVersion[2].predictionDrift).toBeGreaterThan(0);
  expect(s.predictionDrift).toBe(byVersion[2].predictionDrift);
  expect(s.agreement).toEqual({ compared: 4, agreed: 2, rate: 0.5 });
  expect(s.shadowDropped).toBe(1);
  expect(s.recentShadow.map(p => [p.version, p.agree])).toEqual([
    [2, true],
    [2, false],
    [2, false],
    [3, true]
  ]);
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
