import { LakeTahoeClient } from '../api';
import {
  IRecordedRequest,
  jsonResponse,
  makeJob,
  makeTrial,
  mockSettings
} from './helpers';

const BASE = 'http://localhost:8888/user/alice/laketahoe/api/v1';

/** Answers a trials page as the service does: `pageSize` trials after the token, always with a next token. */
function pagedTrials(req: IRecordedRequest): Response {
  const url = new URL(req.url);
  const start = Number(url.searchParams.get('pageToken') ?? '0');
  const size = Number(url.searchParams.get('pageSize'));
  const trials = Array.from({ length: size }, (_, i) =>
    makeTrial(String(start + i + 1))
  );
  return jsonResponse({ trials, nextPageToken: String(start + size) });
}

describe('LakeTahoeClient trial routes', () => {
  it('calls each trial route with encoded ids', async () => {
    const { settings, requests } = mockSettings(req => {
      if (req.url.includes('/logs')) {
        return jsonResponse({ lines: [], nextSeq: 3 });
      }
      if (req.url.endsWith('/stop')) {
        return jsonResponse(makeJob('h'));
      }
      if (req.url.includes('/outputs/')) {
        return new Response('{}');
      }
      if (req.url.includes('/trials?') || req.url.endsWith('/trials')) {
        return jsonResponse({ trials: [makeTrial('1')] });
      }
      return jsonResponse(makeTrial('1'));
    });
    const client = new LakeTahoeClient(settings);
    await client.listTrials('h', { state: 'RUNNING', pageSize: 50 });
    await client.getTrial('h', '1');
    await client.getTrialLogs('h', '1', { after: 2, limit: 5 });
    await client.openTrialLogStream('h', '1', { after: 9 });
    await client.getTrialOutput('h', '1', 'output.ipynb');
    await client.stopJob('h');
    expect(
      requests.map(r => `${r.method} ${r.url.slice(BASE.length)}`)
    ).toEqual([
      'GET /jobs/h/trials?state=RUNNING&pageSize=50',
      'GET /jobs/h/trials/1',
      'GET /jobs/h/trials/1/logs?after=2&limit=5',
      'GET /jobs/h/trials/1/logs/stream?after=9',
      'GET /jobs/h/trials/1/outputs/output.ipynb',
      'POST /jobs/h/stop'
    ]);
    expect(requests[3].headers.get('Accept')).toBe('text/event-stream');
    expect(client.trialOutputUrl('h', 'a/b', 'output.html')).toBe(
      `${BASE}/jobs/h/trials/a%2Fb/outputs/output.html`
    );
  });

  it('follows page tokens for every trial, capped at the limit', async () => {
    const { settings, requests } = mockSettings(pagedTrials);
    const client = new LakeTahoeClient(settings);
    const trials = await client.listAllTrials('h', {
      limit: 2500,
      pageSize: 1000
    });
    expect(trials).toHaveLength(2500);
    expect(trials[2499].trialId).toBe('2500');
    expect(requests.map(r => new URL(r.url).search)).toEqual([
      '?pageSize=1000',
      '?pageSize=1000&pageToken=1000',
      '?pageSize=500&pageToken=2000'
    ]);
  });

  it('reads a first page, then the rest in later pages of their own size', async () => {
    const seen: number[] = [];
    const { settings, requests } = mockSettings(pagedTrials);
    const client = new LakeTahoeClient(settings);
    const trials = await client.listAllTrials('h', {
      limit: 2500,
      pageSize: 100,
      laterPageSize: 10000,
      onPage: page => seen.push(page.length, requests.length)
    });
    expect(trials).toHaveLength(2500);
    expect(requests.map(r => new URL(r.url).search)).toEqual([
      '?pageSize=100',
      '?pageSize=2400&pageToken=100'
    ]);
    // The first page was shown with the next one already asked for.
    expect(seen).toEqual([100, 2]);
  });

  it('asks for some trials by id and for light pages', async () => {
    const { settings, requests } = mockSettings(() =>
      jsonResponse({ trials: [makeTrial('1')] })
    );
    const client = new LakeTahoeClient(settings);
    await client.listTrials('h', { trialIds: ['3', '12'], pageSize: 2 });
    await client.listAllTrials('h', { metrics: 'last' });
    expect(requests.map(r => new URL(r.url).searchParams.toString())).toEqual([
      'pageSize=2&trialIds=3%2C12',
      'pageSize=1000&metrics=last'
    ]);
  });

  it('stops at the last page', async () => {
    const { settings, requests } = mockSettings(() =>
      jsonResponse({ trials: [makeTrial('1'), makeTrial('2')] })
    );
    const client = new LakeTahoeClient(settings);
    expect(await client.listAllTrials('h')).toHaveLength(2);
    expect(requests).toHaveLength(1);
    expect(new URL(requests[0].url).searchParams.get('pageSize')).toBe('1000');
  });
});
