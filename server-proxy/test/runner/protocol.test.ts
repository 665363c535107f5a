import fs from 'node:fs';
import path from 'node:path';
import { parseRunnerLine } from '../../src/runner/protocol.js';
import { FileTailer } from '../../src/backends/local/tailer.js';
import { tempRoot } from '../helpers/service.js';

describe('parseRunnerLine', () => {
  test('structured records are recognised', () => {
    expect(parseRunnerLine('##laketahoe {"type":"started","totalCells":9}')).toEqual({
      kind: 'record',
      record: { type: 'started', totalCells: 9 }
    });
    expect(parseRunnerLine('##laketahoe {"type":"metric","step":1,"values":{"a":1}}\r').kind).toBe('record');
    expect(parseRunnerLine('##laketahoe {"type":"model","name":"iris","path":"models/iris"}')).toEqual({
      kind: 'record',
      record: { type: 'model', name: 'iris', path: 'models/iris' }
    });
  });

  test('plain, malformed and unknown marker lines stay text', () => {
    expect(parseRunnerLine('epoch 1')).toEqual({ kind: 'text', text: 'epoch 1' });
    expect(parseRunnerLine('##laketahoe {not json').kind).toBe('text');
    expect(parseRunnerLine('##laketahoe {"type":"other"}').kind).toBe('text');
  });
});

describe('FileTailer', () => {
  test('returns whole lines only and resumes from its offset', () => {
    const file = path.join(tempRoot(), 'out.log');
    fs.writeFileSync(file, 'one\ntwo\npar');
    const t = new FileTailer(file, 0);
    expect(t.read()).toEqual(['one', 'two']);
    expect(t.offset).toBe(8);
    fs.appendFileSync(file, 'tial\nfour');
    const resumed = new FileTailer(file, t.offset);
    expect(resumed.read()).toEqual(['partial']);
    expect(resumed.read(true)).toEqual(['four']);
    expect(resumed.read(true)).toEqual([]);
  });

  test('a missing file yields nothing', () => {
    expect(new FileTailer('/nonexistent/x.log', 0).read()).toEqual([]);
  });
});
