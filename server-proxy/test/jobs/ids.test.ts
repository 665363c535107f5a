import { runName, labelValue } from '../../src/backends/kubernetes/plan.js';
import { generateJobId, publicJobId, scopedJobKey } from '../../src/jobs/ids.js';
import { JOB_ID_PATTERN, MAX_JOB_ID_LENGTH } from '../../src/schemas/jobs.js';

describe('job keys per owner', () => {
  test('a scoped key is never a valid job id, differs per owner and gives back the id', () => {
    const longest = 'a'.repeat(MAX_JOB_ID_LENGTH);
    for (const id of ['train_1', longest, generateJobId('nb.ipynb')]) {
      const alice = scopedJobKey('alice', id);
      const bob = scopedJobKey('bob', id);
      expect(alice).not.toBe(bob);
      expect(new RegExp(JOB_ID_PATTERN).test(alice)).toBe(false);
      expect(publicJobId(alice)).toBe(id);
      expect(publicJobId(id)).toBe(id);
    }
    // A key that is not a scoped one is shown as it is.
    expect(publicJobId('bob-job')).toBe('bob-job');
  });

  test("Kubernetes names and labels of two owners' equal ids are distinct and valid", () => {
    const dns = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
    const label = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
    for (const id of ['train_1', 'a'.repeat(MAX_JOB_ID_LENGTH)]) {
      const keys = [id, scopedJobKey('bob', id), scopedJobKey('carol', id)];
      const names = keys.flatMap(k => [runName(k), runName(`${k}/trials/3`)]);
      expect(new Set(names).size).toBe(names.length);
      for (const n of names) {
        expect(n).toMatch(dns);
        expect(n.length).toBeLessThanOrEqual(40);
      }
      const labels = keys.map(labelValue);
      expect(new Set(labels).size).toBe(labels.length);
      labels.forEach(l => expect(l.length <= 63 && label.test(l)).toBe(true));
    }
  });
});
