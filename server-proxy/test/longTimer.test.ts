import { jest } from '@jest/globals';
import { MAX_TIMEOUT_MS, setLongTimeout } from '../src/longTimer.js';

describe('setLongTimeout', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  test('waits out a delay longer than one Node timer can hold', () => {
    const fired = jest.fn();
    const thirtyDays = 30 * 24 * 3600 * 1000;
    setLongTimeout(fired, thirtyDays);
    jest.advanceTimersByTime(1000);
    expect(fired).not.toHaveBeenCalled();
    jest.advanceTimersByTime(MAX_TIMEOUT_MS);
    expect(fired).not.toHaveBeenCalled();
    jest.advanceTimersByTime(thirtyDays - MAX_TIMEOUT_MS - 1001);
    expect(fired).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  test('clear stops it in any leg of the chain', () => {
    const fired = jest.fn();
    const timer = setLongTimeout(fired, 3 * MAX_TIMEOUT_MS);
    jest.advanceTimersByTime(MAX_TIMEOUT_MS + 5);
    timer.clear();
    jest.advanceTimersByTime(3 * MAX_TIMEOUT_MS);
    expect(fired).not.toHaveBeenCalled();
  });

  test('short and past-due delays fire as setTimeout would', () => {
    const fired = jest.fn();
    setLongTimeout(fired, 50);
    jest.advanceTimersByTime(49);
    expect(fired).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
    const late = jest.fn();
    setLongTimeout(late, -10);
    expect(late).toHaveBeenCalledTimes(1);
  });
});
