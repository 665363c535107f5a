import { LogStreamModel } from '../model/stream';
import { ILogLine } from '../wire';

const line = (seq: number): ILogLine => ({
  seq,
  time: 't',
  stream: 'stdout',
  text: `line ${seq}`
});

describe('LogStreamModel', () => {
  it('skips lines already seen and counts the ones it drops', () => {
    const log = new LogStreamModel({
      open: () => Promise.reject(new Error('not used')),
      maxLines: 3
    });
    let changes = 0;
    log.changed.connect(() => changes++);
    log.addLines([line(1), line(2)]);
    log.addLines([line(2)]);
    log.addLines([line(3), line(4), line(5)]);
    expect(log.lines.map(l => l.seq)).toEqual([3, 4, 5]);
    expect(log.droppedLines).toBe(2);
    expect(changes).toBe(2);
    expect(log.status).toBe('stopped');
    log.dispose();
    expect(log.isDisposed).toBe(true);
  });
});
