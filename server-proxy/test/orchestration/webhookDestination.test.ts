import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkWebhookUrl, guardedLookup, isPublicAddress, type ResolveAll } from '../../src/orchestration/webhookDestination.js';

test('only public unicast addresses count as public', () => {
  for (const address of ['8.8.8.8', '2001:4860:4860::8888', '::ffff:8.8.8.8']) {
    expect([address, isPublicAddress(address)]).toEqual([address, true]);
  }
  for (const address of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1', '::', 'not-an-ip']) {
    expect([address, isPublicAddress(address)]).toEqual([address, false]);
  }
});

test('URLs are judged by their host; an opt-in allows private networks', () => {
  const strict = { allowPrivateNetworks: false };
  expect(() => checkWebhookUrl('https://hooks.slack.com/services/T/B/x', strict)).not.toThrow();
  expect(() => checkWebhookUrl('http://8.8.8.8/hook', strict)).not.toThrow();
  for (const url of ['http://127.0.0.1/', 'http://[fe80::1]/', 'http://api.localhost/', 'http://LOCALHOST:8080/']) {
    expect(() => checkWebhookUrl(url, strict)).toThrow(expect.objectContaining({ code: 'invalid_argument', field: 'webhook.url' }));
  }
  expect(() => checkWebhookUrl('http://127.0.0.1/', { allowPrivateNetworks: true })).not.toThrow();
  // The request schema only asks for `http(s)://` and no spaces; the rest must still parse.
  expect(() => checkWebhookUrl('https://\u0005', strict)).toThrow(expect.objectContaining({ code: 'invalid_argument', field: 'webhook.url', message: 'webhook URL is not a valid URL' }));
});

test('a name is judged by what it resolves to when the connection is made', async () => {
  const receiver = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>(resolve => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as AddressInfo).port;
  // A public-looking name that resolves into loopback, as a rebinding attacker's name would.
  const rebinding: ResolveAll = (_host, _options, callback) => callback(null, [{ address: '127.0.0.1', family: 4 }]);
  const postTo = (allowPrivateNetworks: boolean) =>
    new Promise<string>(resolve => {
      const req = http.request(`http://hooks.example.com:${port}/`, { method: 'POST', lookup: guardedLookup({ allowPrivateNetworks }, rebinding) }, res => {
        res.resume();
        resolve(`answered ${res.statusCode}`);
      });
      req.on('error', err => resolve(`${(err as NodeJS.ErrnoException).code}: ${err.message}`));
      req.end();
    });
  try {
    expect(await postTo(false)).toBe('EREFUSEDDESTINATION: hooks.example.com resolves to 127.0.0.1 is not a public address (the service does not post into private networks unless started with --webhook-allow-private-networks)');
    expect(await postTo(true)).toBe('answered 200');
  } finally {
    await new Promise(resolve => receiver.close(resolve));
  }
});
