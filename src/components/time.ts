/** Durations as the views show them. */
/** "1:02:03" / "2:03" for a duration in milliseconds. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** Elapsed time of a job: start to end, or to now while it runs. */
export function elapsedMs(
  startTime: string | null,
  endTime: string | null,
  now: number
): number | null {
  if (!startTime) {
    return null;
  }
  const start = Date.parse(startTime);
  const end = endTime ? Date.parse(endTime) : now;
  return Number.isNaN(start) || Number.isNaN(end) ? null : end - start;
}
