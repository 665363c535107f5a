import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { LOG_PAGE_BYTES, readLogPage } from '../../src/orchestration/logs.js';
import { DEFAULT_READ_BUDGET, FileTailer, LINE_TRUNCATED, MAX_LINE_BYTES } from '../../src/backends/local/tailer.js';
import type { Store } from '../../src/store/store.js';
import type { LogLine } from '../../src/schemas/jobs.js';
import { writeNotebook } from '../helpers/notebooks.js';
import { startService, tempRoot, type TestService } from '../helpers/service.js';
import { openTestStore } from '../helpers/stores.js';

const line = (n: number, text: string) => ({ time: `t${n}`, stream: 'stdout' as const, text });

describe('log store budgets', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openTestStore(path.join(tempRoot(), 'db.sqlite'));
  });
  afterEach(() => store.close());

  test('a run keeps at most its byte budget, newest lines first, and a reader is told the log was truncated', async () => {
    const kb = 'x'.repeat(1024);
    for (let i = 0; i < 10; i++) {
      await store.appendLogs('j', Array.from({ length: 10 }, (_, k) => line(i * 10 + k, kb)), { lines: 1000, bytes: 20 * 1024 });
    }
    const page = await readLogPage(store, 'j', 0, 1000);
    const kept = page.lines.filter(l => l.stream === 'stdout');
    expect(kept.length).toBe(20);
    expect(kept[kept.length - 1].seq).toBe(100);
    expect(page.firstSeq).toBe(81);
    expect(page.lines[0]).toMatchObject({ seq: 80, stream: 'system' });
    expect(page.lines[0].text).toMatch(/^\[log truncated: the first 80 lines were dropped/);
    // A reader already past the dropped lines gets no marker.
    const later = await readLogPage(store, 'j', 90, 1000);
    expect(later.lines.every(l => l.stream === 'stdout')).toBe(true);
    expect(later.lines[0].seq).toBe(91);
  });

  test('the byte count survives a reopened store', async () => {
    const dir = tempRoot();
    const a = await openTestStore(path.join(dir, 'db.sqlite'));
    await a.appendLogs('j', Array.from({ length: 10 }, (_, k) => line(k, 'y'.repeat(1000))), { lines: 1000, bytes: 10_000 });
    await a.close();
    const b = await openTestStore(path.join(dir, 'db.sqlite'));
    await b.appendLogs('j', [line(11, 'y'.repeat(1000))], { lines: 1000, bytes: 10_000 });
    const page = await b.getLogs('j', 0, 1000);
    expect(page.lines.map(l => l.seq)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    await b.close();
  });

  test('a page stops at its byte budget but always holds one line', async () => {
    const big = 'z'.repeat(300 * 1024);
    await store.appendLogs('j', Array.from({ length: 10 }, (_, k) => line(k, big)), { lines: 1000, bytes: 1e9 });
    const page = await store.getLogs('j', 0, 10_000, 1024 * 1024);
    expect(page.lines.map(l => l.seq)).toEqual([1, 2, 3]);
    expect(page.lastSeq).toBe(10);
    const one = await store.getLogs('j', 0, 10_000, 10);
    expect(one.lines).toHaveLength(1);
  });
});

describe('reading runner output', () => {
  test('one read takes at most its budget; the rest follows in order on the next reads', () => {
    const file = path.join(tempRoot(), 'out.log');
    const text = Array.from({ length: 50_000 }, (_, i) => `line ${i} ${'p'.repeat(200)}`).join('\n') + '\n';
    fs.writeFileSync(file, text);
    const tailer = new FileTailer(file, 0);
    const first = tailer.read(false);
    expect(first.length).toBeLessThanOrEqual(DEFAULT_READ_BUDGET.lines);
    expect(tailer.offset).toBeLessThanOrEqual(DEFAULT_READ_BUDGET.bytes);
    expect(tailer.caughtUp).toBe(false);
    const all = [...first];
    while (!tailer.caughtUp) {
      all.push(...tailer.read(true));
    }
    expect(all).toHaveLength(50_000);
    expect(all[49_999].startsWith('line 49999 ')).toBe(true);
  });

  test('a line longer than the limit is cut and says so', () => {
    const file = path.join(tempRoot(), 'out.log');
    fs.writeFileSync(file, 'a'.repeat(MAX_LINE_BYTES + 10) + '\nshort\n');
    const lines = new FileTailer(file, 0).read(false);
    expect(lines[0]).toBe('a'.repeat(MAX_LINE_BYTES) + LINE_TRUNCATED);
    expect(lines[1]).toBe('short');
  });
});

describe('log routes', () => {
  let t: TestService;
  const jobId = 'noisy';
  const LINES = 400;
  const text = 'q'.repeat(64 * 1024 - 1);

  beforeAll(async () => {
    const root = tempRoot();
    writeNotebook(path.join(root, 'nb.ipynb'), ['print(1)']);
    t = await startService(root, { python: path.join(root, 'no-python') });
    expect((await t.call('POST', '/api/v1/jobs', { jobId, trainingInput: { notebook: { path: 'nb.ipynb' } } })).status).toBe(201);
    // 400 lines of 64 KiB: 25 MiB of log.
    for (let i = 0; i < LINES; i += 100) {
      await t.service.store.appendLogs(jobId, Array.from({ length: 100 }, (_, k) => line(i + k, text)), { lines: 100_000, bytes: 1e9 });
    }
  });
  afterAll(async () => {
    await t.close();
  });

  test('a limit=10000 page of long lines is bounded in bytes and says where to go on', async () => {
    const res = await fetch(`${t.url}/api/v1/jobs/${jobId}/logs?limit=10000`, { headers: { authorization: `Bearer ${t.token}` } });
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(body.length).toBeLessThan(LOG_PAGE_BYTES + 64 * 1024 + 4096);
    const page = JSON.parse(body);
    expect(page.lines.length).toBeGreaterThan(0);
    expect(page.nextSeq).toBe(page.lines[page.lines.length - 1].seq);
    let after = page.nextSeq;
    let seen = page.lines.length;
    for (;;) {
      const next = (await t.call('GET', `/api/v1/jobs/${jobId}/logs?limit=10000&after=${after}`)).body;
      if (next.lines.length === 0) {
        break;
      }
      seen += next.lines.length;
      after = next.nextSeq;
    }
    expect(seen).toBe(LINES);
  });

  test('the log stream reads no further than a paused client takes, then delivers everything in order', async () => {
    const store = t.service.store;
    const original = store.getLogs.bind(store);
    let delivered = 0;
    store.getLogs = async (...args: Parameters<typeof original>) => {
      const page = await original(...args);
      delivered += page.lines.reduce((n, l) => n + l.text.length, 0);
      return page;
    };
    try {
      const received: LogLine[] = [];
      await new Promise<void>((resolve, reject) => {
        const req = http.get(`${t.url}/api/v1/jobs/${jobId}/logs/stream`, { headers: { authorization: `Bearer ${t.token}` } }, res => {
          res.pause();
          setTimeout(() => {
            try {
              // 25 MiB are stored; a paused client has taken at most a few socket buffers and one page.
              expect(delivered).toBeLessThan(12 * 1024 * 1024);
            } catch (err) {
              req.destroy();
              reject(err);
              return;
            }
            let buf = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              buf += chunk;
              let i;
              while ((i = buf.indexOf('\n\n')) >= 0) {
                const event = buf.slice(0, i);
                buf = buf.slice(i + 2);
                const data = /^data: (.*)$/m.exec(event);
                if (event.startsWith('event: log') && data) {
                  received.push(JSON.parse(data[1]));
                }
                if (received.length === LINES) {
                  req.destroy();
                  resolve();
                }
              }
            });
            res.resume();
          }, 1500);
        });
        req.on('error', err => (received.length === LINES ? resolve() : reject(err)));
      });
      expect(received.map(l => l.seq)).toEqual(Array.from({ length: LINES }, (_, i) => i + 1));
    } finally {
      store.getLogs = original;
    }
  }, 60_000);
});
