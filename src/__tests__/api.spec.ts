import { ServerConnection } from '@jupyterlab/services';

import { LakeTahoeClient, LakeTahoeError } from '../api';
import { jsonResponse, makeJob, mockSettings } from './helpers';

const BASE = 'http://localhost:8888/user/alice/laketahoe/api/v1';

describe('LakeTahoeClient', () => {
  it('builds URLs under the proxy mount with encoded query values', () => {
    const { settings } = mockSettings(() => jsonResponse({}));
    const client = new LakeTahoeClient(settings);
    expect(client.url('jobs', { state: 'RUNNING', pageToken: undefined })).toBe(
      `${BASE}/jobs?state=RUNNING`
    );
    expect(client.url('jobs', { pageToken: 'a b&c' })).toBe(
      `${BASE}/jobs?pageToken=a+b%26c`
    );
    expect(client.outputUrl('j1', 'output.html')).toBe(
      `${BASE}/jobs/j1/outputs/output.html`
    );
  });

  it('lists jobs with the state filter and page size', async () => {
    const job = makeJob('a1', 'RUNNING');
    const { settings, requests } = mockSettings(() =>
      jsonResponse({ jobs: [job], nextPageToken: 'next' })
    );
    const client = new LakeTahoeClient(settings);
    const page = await client.listJobs({ state: 'RUNNING', pageSize: 50 });
    expect(page.jobs).toEqual([job]);
    expect(page.nextPageToken).toBe('next');
    expect(requests[0].method).toBe('GET');
    expect(requests[0].url).toBe(`${BASE}/jobs?state=RUNNING&pageSize=50`);
    // Jupyter's own token goes to Jupyter Server, never the service's bearer.
    expect(requests[0].headers.get('Authorization')).toBe(
      'token jupyter-token'
    );
  });

  it('posts a JSON body on submit', async () => {
    const created = makeJob('demo_1');
    const { settings, requests } = mockSettings(() =>
      jsonResponse(created, 201)
    );
    const client = new LakeTahoeClient(settings);
    const body = {
      jobId: 'demo_1',
      trainingInput: {
        scaleTier: 'BASIC' as const,
        notebook: { path: 'demo.ipynb', parameters: { n: 3 } }
      }
    };
    await expect(client.submitJob(body)).resolves.toEqual(created);
    expect(requests[0].method).toBe('POST');
    expect(requests[0].url).toBe(`${BASE}/jobs`);
    expect(requests[0].headers.get('Content-Type')).toBe('application/json');
    expect(JSON.parse(requests[0].body!)).toEqual(body);
  });

  it('marks every request as its own, so the service can refuse cross-site ones', async () => {
    const { settings, requests } = mockSettings(() =>
      jsonResponse(makeJob('j1', 'CANCELLED'))
    );
    const client = new LakeTahoeClient(settings);
    // A body-less POST has no JSON content type of its own to prove it.
    await client.cancelJob('j1');
    await client.getJob('j1');
    expect(requests[0].method).toBe('POST');
    expect(requests.map(r => r.headers.get('X-LakeTahoe-Request'))).toEqual([
      '1',
      '1'
    ]);
  });

  it('encodes job ids and calls each job route', async () => {
    const { settings, requests } = mockSettings(req => {
      if (req.url.includes('/metrics')) {
        return jsonResponse({
          metrics: [{ step: 1, name: 'loss', value: 0.5, time: 't' }]
        });
      }
      if (req.url.includes('/logs')) {
        return jsonResponse({ lines: [], nextSeq: 7 });
      }
      return jsonResponse(makeJob('x'));
    });
    const client = new LakeTahoeClient(settings);
    await client.getJob('a/b');
    await client.cancelJob('j1');
    await client.getLogs('j1', { after: 5, limit: 10 });
    const metrics = await client.getMetrics('j1');
    await client.getInfo();
    expect(metrics).toEqual([{ step: 1, name: 'loss', value: 0.5, time: 't' }]);
    expect(
      requests.map(r => `${r.method} ${r.url.slice(BASE.length)}`)
    ).toEqual([
      'GET /jobs/a%2Fb',
      'POST /jobs/j1/cancel',
      'GET /jobs/j1/logs?after=5&limit=10',
      'GET /jobs/j1/metrics',
      'GET /info'
    ]);
  });

  it('follows metric pages and asks for thinned series', async () => {
    const { settings, requests } = mockSettings(req =>
      req.url.includes('pageToken=p2')
        ? jsonResponse({
            metrics: [{ step: 2, name: 'loss', value: 0.4, time: 't' }]
          })
        : jsonResponse({
            metrics: [{ step: 1, name: 'loss', value: 0.5, time: 't' }],
            nextPageToken: 'p2'
          })
    );
    const client = new LakeTahoeClient(settings);
    const metrics = await client.getMetrics('j1', { maxPoints: 500 });
    expect(metrics.map(m => m.step)).toEqual([1, 2]);
    expect(requests.map(r => r.url.slice(BASE.length))).toEqual([
      '/jobs/j1/metrics?maxPoints=500',
      '/jobs/j1/metrics?maxPoints=500&pageToken=p2'
    ]);
  });

  it('opens event streams with the SSE accept header', async () => {
    const { settings, requests } = mockSettings(
      () =>
        new Response('event: ping\ndata: {}\n\n', {
          headers: { 'Content-Type': 'text/event-stream' }
        })
    );
    const client = new LakeTahoeClient(settings);
    const response = await client.openEventStream({ jobId: 'j1' });
    expect(await response.text()).toContain('event: ping');
    await client.openLogStream('j1', { after: 41 });
    expect(requests[0].url).toBe(`${BASE}/events?jobId=j1`);
    expect(requests[0].headers.get('Accept')).toBe('text/event-stream');
    expect(requests[1].url).toBe(`${BASE}/jobs/j1/logs/stream?after=41`);
  });

  it('maps the service error shape, field included', async () => {
    const { settings } = mockSettings(() =>
      jsonResponse(
        {
          error: {
            code: 'invalid_argument',
            message: 'unknown scale tier',
            field: 'trainingInput.scaleTier'
          }
        },
        400
      )
    );
    const client = new LakeTahoeClient(settings);
    const error = await client
      .submitJob({ trainingInput: { scaleTier: 'BASIC' } })
      .catch(e => e);
    expect(error).toBeInstanceOf(LakeTahoeError);
    expect(error).toMatchObject({
      status: 400,
      code: 'invalid_argument',
      message: 'unknown scale tier',
      field: 'trainingInput.scaleTier'
    });
  });

  it('maps statuses without an error body', async () => {
    const { settings } = mockSettings(
      () => new Response('<html>Bad Gateway</html>', { status: 502 })
    );
    const client = new LakeTahoeClient(settings, { reconnectDelaysMs: [] });
    const error = (await client.getInfo().catch(e => e)) as LakeTahoeError;
    expect(error).toBeInstanceOf(LakeTahoeError);
    expect(error.code).toBe('unavailable');
    expect(error.status).toBe(502);
    expect(error.field).toBeUndefined();

    const conflict = mockSettings(() => new Response('', { status: 409 }));
    const error2 = (await new LakeTahoeClient(conflict.settings)
      .getJob('x')
      .catch(e => e)) as LakeTahoeError;
    expect(error2.code).toBe('already_exists');
  });

  it('turns network failures into unavailable errors', async () => {
    const { settings } = mockSettings(() => {
      throw new TypeError('Failed to fetch');
    });
    const client = new LakeTahoeClient(settings, { reconnectDelaysMs: [] });
    const error = (await client.listJobs().catch(e => e)) as LakeTahoeError;
    expect(error).toBeInstanceOf(LakeTahoeError);
    expect(error.status).toBe(0);
    expect(error.code).toBe('unavailable');
    expect(error.message).toContain('Failed to fetch');
  });

  it('waits for a restarting service instead of failing with the proxy 500, reporting it reconnects', async () => {
    // jupyter-server-proxy answers its own 500 page until the new service listens.
    let calls = 0;
    const { settings, requests } = mockSettings(() => {
      calls++;
      if (calls === 1) {
        throw new TypeError('Failed to fetch');
      }
      if (calls <= 3) {
        return new Response('<html>500: Internal Server Error</html>', {
          status: 500,
          headers: { 'Content-Type': 'text/html' }
        });
      }
      return jsonResponse(makeJob('j', 'CANCELLED'));
    });
    const client = new LakeTahoeClient(settings, {
      reconnectDelaysMs: [5, 5, 5, 5]
    });
    const states: boolean[] = [];
    client.reconnectingChanged.connect((_, value) => states.push(value));
    const job = await client.cancelJob('j');
    expect(job.state).toBe('CANCELLED');
    expect(requests.map(r => r.method)).toEqual([
      'POST',
      'POST',
      'POST',
      'POST'
    ]);
    expect(states).toEqual([true, false]);
    expect(client.reconnecting).toBe(false);
  });

  it("does not resend on the service's own 5xx, and gives up after the last delay", async () => {
    const own = mockSettings(() =>
      jsonResponse({ error: { code: 'internal', message: 'boom' } }, 500)
    );
    const error = (await new LakeTahoeClient(own.settings, {
      reconnectDelaysMs: [5, 5]
    })
      .getInfo()
      .catch(e => e)) as LakeTahoeError;
    expect(error.message).toBe('boom');
    expect(own.requests).toHaveLength(1);

    const down = mockSettings(
      () => new Response('<html>500</html>', { status: 500 })
    );
    const client = new LakeTahoeClient(down.settings, {
      reconnectDelaysMs: [5, 5]
    });
    const gone = (await client.getInfo().catch(e => e)) as LakeTahoeError;
    expect(down.requests).toHaveLength(3);
    expect(gone).toMatchObject({ code: 'unavailable', status: 500 });
    expect(gone.message).toMatch(/not reachable/);
    expect(client.reconnecting).toBe(false);
  });

  it('lets aborts through unchanged', async () => {
    const { settings, requests } = mockSettings(() => jsonResponse({}));
    const client = new LakeTahoeClient(settings);
    const controller = new AbortController();
    controller.abort();
    const error = await client.getInfo(controller.signal).catch(e => e);
    // The caller's own abort, so callers can tell it from a failure and stay quiet.
    expect(error).not.toBeInstanceOf(LakeTahoeError);
    // ServerConnection reports the abort as a NetworkError carrying the abort's message.
    expect(error).toBeInstanceOf(ServerConnection.NetworkError);
    expect(error.message).toBe('aborted');
    expect(requests).toEqual([]);
  });
});
