// RSS and CPU time of one process, read from /proc once a second.
import fs from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function read(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime + stime
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  return { at: performance.now(), cpuSeconds, rssMiB: rssKiB / 1024 };
}

/** Samples `pid` until stop(), which returns the maximum and mean RSS, the CPU seconds used and the busiest 10 s. */
export function processSampler(pid) {
  const samples = [read(pid)];
  const timer = setInterval(() => {
    try {
      samples.push(read(pid));
    } catch {
      clearInterval(timer); // the process has ended
    }
  }, 1000);
  return {
    stop() {
      clearInterval(timer);
      const rss = samples.map(s => s.rssMiB);
      let peakCore = 0;
      for (let i = 10; i < samples.length; i++) {
        peakCore = Math.max(peakCore, (samples[i].cpuSeconds - samples[i - 10].cpuSeconds) / ((samples[i].at - samples[i - 10].at) / 1000));
      }
      return {
        rssMaxMiB: Math.max(...rss),
        rssMeanMiB: rss.reduce((a, b) => a + b, 0) / rss.length,
        cpuSeconds: samples.at(-1).cpuSeconds - samples[0].cpuSeconds,
        peakCore
      };
    }
  };
}
