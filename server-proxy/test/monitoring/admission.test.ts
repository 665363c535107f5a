import { RowAdmission } from '../../src/monitoring/admission.js';

// The token bucket in front of the drift windows (src/monitoring/admission.ts).

test('a tenth of the window enters at once, then rows enter at capacity / windowSeconds', () => {
  // 1,000 rows over 100 s: 10 rows a second, 100 at once.
  const admission = new RowAdmission(1000, 100, 30);
  let admitted = 0;
  for (let i = 0; i < 50; i++) {
    if (admission.admits(0)) {
      admission.spend(10);
      admitted += 10;
    }
  }
  expect(admitted).toBe(100);
  // One second later 10 rows more may enter; a request of 25 rows takes them and the next 15.
  expect(admission.admits(1000)).toBe(true);
  admission.spend(25);
  expect(admission.admits(2000)).toBe(false);
  expect(admission.admits(2500)).toBe(false);
  expect(admission.admits(2600)).toBe(true);
});

test('never less than the rows drift needs at once, never more than the window', () => {
  const small = new RowAdmission(100, 60, 30);
  small.spend(29);
  expect(small.admits(0)).toBe(true);
  small.spend(1);
  expect(small.admits(0)).toBe(false);
  const tiny = new RowAdmission(20, 60, 30);
  tiny.spend(20);
  expect(tiny.admits(0)).toBe(false);
});

test('a clock that steps back adds nothing, and a long pause refills no more than the burst', () => {
  const admission = new RowAdmission(1000, 100, 30);
  expect(admission.admits(10_000)).toBe(true);
  admission.spend(100);
  expect(admission.admits(5_000)).toBe(false);
  expect(admission.admits(10_000)).toBe(false);
  // An hour later: 100 rows (the burst), not 36,000.
  expect(admission.admits(3_610_000)).toBe(true);
  admission.spend(100);
  expect(admission.admits(3_610_000)).toBe(false);
});
