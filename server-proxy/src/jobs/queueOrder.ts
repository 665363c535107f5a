/** Queue order of runs submitted at `time` (ISO): earlier first. */
export function queueOrder(time: string, tieBreak = 0): number {
  return Date.parse(time) - Date.parse('2020-01-01T00:00:00Z') + tieBreak;
}
