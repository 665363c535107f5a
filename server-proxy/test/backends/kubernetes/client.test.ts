import { ApiException } from '@kubernetes/client-node';
import { alreadyExists, kubeError, toServiceError, worthRetrying, retryPauseMs } from '../../../src/backends/kubernetes/client.js';

// What the API server answers (a Status object in the body) becomes the caller's error.
const status = (code: number, message: string, causes?: { field: string }[]) =>
  new ApiException(code, `HTTP ${code}`, JSON.stringify({ kind: 'Status', code, message, reason: 'R', details: causes ? { causes } : undefined }), {});

test('API status codes map to typed errors', () => {
  expect(toServiceError(status(403, 'jobs.batch is forbidden'), 'laketahoe-bob')).toMatchObject({
    code: 'permission_denied',
    message: expect.stringMatching(/^namespace laketahoe-bob: .*jobs.batch is forbidden/)
  });
  expect(toServiceError(status(404, 'namespaces "x" not found'), 'x')).toMatchObject({ code: 'not_found' });
  expect(toServiceError(status(409, 'already exists'), 'ns')).toMatchObject({ code: 'already_exists' });
  expect(toServiceError(status(422, 'Job.batch "x" is invalid', [{ field: 'spec.template.spec.containers[0].image' }]), 'ns')).toMatchObject({
    code: 'invalid_argument',
    field: 'spec.template.spec.containers[0].image'
  });
  // Anything else hides the details from the caller.
  expect(toServiceError(status(500, 'etcd is down'), 'ns')).toMatchObject({ code: 'internal', message: 'the Kubernetes API call failed' });
});

test('a failure without a Status body keeps its HTTP status; a network failure has status 0', () => {
  expect(kubeError(new ApiException(503, 'x', 'not json', {}))).toMatchObject({ status: 503, message: 'HTTP 503' });
  expect(kubeError(new Error('connect ECONNREFUSED'))).toMatchObject({ status: 0, message: 'connect ECONNREFUSED' });
});

test('a quota update race (409 Conflict) is retried, not taken for an existing object', () => {
  const race = kubeError(
    new ApiException(409, 'x', JSON.stringify({ kind: 'Status', reason: 'Conflict', message: 'Operation cannot be fulfilled on resourcequotas "laketahoe-quota": the object has been modified' }), {})
  );
  expect(alreadyExists(race)).toBe(false);
  expect(worthRetrying(race)).toBe(true);
  const exists = kubeError(new ApiException(409, 'x', JSON.stringify({ kind: 'Status', reason: 'AlreadyExists', message: 'jobs.batch "lt-a" already exists' }), {}));
  expect(alreadyExists(exists)).toBe(true);
  expect(worthRetrying(exists)).toBe(false);
  expect(worthRetrying(kubeError(new ApiException(503, 'x', 'not json', {})))).toBe(true);
  expect(worthRetrying(kubeError(new Error('connect ECONNREFUSED')))).toBe(true);
  expect(worthRetrying(kubeError(new ApiException(422, 'x', JSON.stringify({ reason: 'Invalid' }), {})))).toBe(false);
});

test('a quota update race is retried within a second, spread out; an unreachable API server after 5 s', () => {
  const race = kubeError(new ApiException(409, 'x', JSON.stringify({ kind: 'Status', reason: 'Conflict', message: 'the object has been modified' }), {}));
  expect(retryPauseMs(race, () => 0)).toBe(200);
  expect(retryPauseMs(race, () => 0.999)).toBe(999);
  const pauses = new Set(Array.from({ length: 20 }, () => retryPauseMs(race)));
  expect(pauses.size).toBeGreaterThan(1);
  expect(retryPauseMs(kubeError(new Error('connect ECONNREFUSED')))).toBe(5000);
  expect(retryPauseMs(kubeError(new ApiException(503, 'x', 'not json', {})))).toBe(5000);
});
