import path from 'node:path';
import { writeNotebook } from '../helpers/notebooks.js';
import { startService, tempRoot, waitForState, type TestService } from '../helpers/service.js';

let t: TestService;

beforeAll(async () => {
  const root = tempRoot();
  writeNotebook(path.join(root, 'sleep.ipynb'), ['import time\ntime.sleep(2)\nprint("done")']);
  t = await startService(root);
});

afterAll(async () => {
  await t.close();
});

describe('scheduling.maxRunningTime', () => {
  // 2,200,000 s is about 25.5 days: past the 2^31-1 ms a single Node timer can wait, which used to fire at once.
  test.each(['2200000s', '9999999999s'])('a deadline of %s does not kill the job at once', async maxRunningTime => {
    const r = await t.call('POST', '/api/v1/jobs', { trainingInput: { notebook: { path: 'sleep.ipynb' }, scheduling: { maxRunningTime } } });
    expect(r.status).toBe(201);
    const done = await waitForState(t, r.body.jobId, ['SUCCEEDED', 'FAILED', 'CANCELLED']);
    expect(done.errorMessage).toBe('');
    expect(done.state).toBe('SUCCEEDED');
  });

  test('a duration with more than ten digits of seconds is a 400', async () => {
    const r = await t.call('POST', '/api/v1/jobs', {
      trainingInput: { notebook: { path: 'sleep.ipynb' }, scheduling: { maxRunningTime: '99999999999999999999999s' } }
    });
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('trainingInput.scheduling.maxRunningTime');
  });
});
