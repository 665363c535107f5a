import path from 'node:path';
import { writeNotebook } from '../helpers/notebooks.js';
import { startService, tempRoot, waitForState, type TestService } from '../helpers/service.js';

// A job's log keeps its last 100,000 lines (docs/contracts.md); `firstSeq` says where the kept part starts.
let t: TestService;

beforeAll(async () => {
  const root = tempRoot();
  writeNotebook(path.join(root, 'chatty.ipynb'), ["print('\\n'.join(f'line {i}' for i in range(100_050)), flush=True)"]);
  t = await startService(root);
});

afterAll(async () => {
  await t?.close();
});

test('a job that printed more than 100,000 lines keeps exactly the last 100,000, from firstSeq on', async () => {
  expect((await t.call('POST', '/api/v1/jobs', { jobId: 'chatty', trainingInput: { notebook: { path: 'chatty.ipynb' } } })).status).toBe(201);
  expect((await waitForState(t, 'chatty', ['SUCCEEDED', 'FAILED'], 180_000)).state).toBe('SUCCEEDED');

  const head = (await t.call('GET', '/api/v1/jobs/chatty/logs?after=0&limit=3')).body;
  // Asking from the start first says that the log was truncated, then gives the oldest line kept.
  expect(head.firstSeq).toBeGreaterThan(50);
  expect(head.lines[0]).toMatchObject({ seq: head.firstSeq - 1, stream: 'system' });
  expect(head.lines[0].text).toMatch(/^\[log truncated: the first \d+ lines were dropped/);
  expect(head.lines[1].seq).toBe(head.firstSeq);
  expect(head.lines.map((l: any) => l.text)).not.toContain('line 0');

  // Page to the end, counting what is kept.
  let after = head.firstSeq - 1;
  let kept = 0;
  let last: any;
  for (;;) {
    const page = (await t.call('GET', `/api/v1/jobs/chatty/logs?after=${after}&limit=1000`)).body;
    if (page.lines.length === 0) {
      break;
    }
    kept += page.lines.length;
    last = page.lines.at(-1);
    after = page.nextSeq;
  }
  expect(kept).toBe(100_000);
  expect(last.seq - head.firstSeq + 1).toBe(100_000);
  // The newest printed line is among the kept ones (nothing lost at the end).
  const tail = (await t.call('GET', `/api/v1/jobs/chatty/logs?after=${last.seq - 200}&limit=200`)).body;
  expect(tail.lines.map((l: any) => l.text)).toContain('line 100049');
});
