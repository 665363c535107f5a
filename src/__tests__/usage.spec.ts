import { formatBytes, UsageModel, usageSeries } from '../model/usage';
import { IUsage } from '../wire';

const GIB = 1024 ** 3;

function answer(samples: IUsage['samples']): IUsage {
  return {
    available: true,
    samples,
    summary: {
      samples: samples.length,
      peakMemoryBytes: 0,
      cpuSeconds: 0,
      gpuHours: 0
    }
  };
}

describe('usage', () => {
  it('charts seconds, cores and GiB, and GPU only where a sample has it', () => {
    const cpuOnly = usageSeries(
      answer([
        {
          time: '2026-12-01T00:00:00.000Z',
          cpuCores: 1.5,
          cpuSeconds: 3,
          memoryBytes: GIB / 2
        }
      ])
    );
    expect(cpuOnly).toEqual({
      times: [Date.UTC(2026, 11, 1) / 1000],
      cpuCores: [1.5],
      memoryGiB: [0.5],
      gpuUtilization: null
    });
    const withGpu = usageSeries(
      answer([
        {
          time: '2026-12-01T00:00:00.000Z',
          cpuCores: 1,
          cpuSeconds: 1,
          memoryBytes: GIB,
          gpuCount: 1
        },
        {
          time: '2026-12-01T00:00:05.000Z',
          cpuCores: 1,
          cpuSeconds: 6,
          memoryBytes: GIB,
          gpuCount: 1,
          gpuUtilization: 80
        }
      ])
    );
    expect(withGpu.gpuUtilization).toEqual([null, 80]);
    expect(formatBytes(1.5 * GIB)).toBe('1.5 GiB');
    expect(formatBytes(300 * 1024 ** 2)).toBe('300 MiB');
  });

  it('loads again while the job runs and once more after it ended', async () => {
    jest.useFakeTimers();
    let active = true;
    const load = jest.fn(async () => answer([]));
    const model = new UsageModel(load, () => active);
    const changes = jest.fn();
    model.changed.connect(changes);
    model.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(load).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(5000);
    expect(load).toHaveBeenCalledTimes(2);
    active = false;
    await jest.advanceTimersByTimeAsync(5000);
    expect(load).toHaveBeenCalledTimes(3);
    await jest.advanceTimersByTimeAsync(20000);
    expect(load).toHaveBeenCalledTimes(3);
    expect(changes).toHaveBeenCalledTimes(3);
    model.dispose();
    jest.useRealTimers();
  });
});
