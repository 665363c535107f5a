import {
  checkParameterValue,
  findParametersSource,
  formatParameterValue,
  parseParametersSource,
  parsePythonLiteral,
  toPythonLiteral
} from '../model/parameters';

describe('findParametersSource', () => {
  it('returns the first code cell tagged parameters', () => {
    const cells = [
      {
        cell_type: 'markdown',
        source: 'x = 1',
        metadata: { tags: ['parameters'] }
      },
      { cell_type: 'code', source: 'import os', metadata: {} },
      {
        cell_type: 'code',
        source: ['a = 1\n', 'b = 2'],
        metadata: { tags: ['other', 'parameters'] }
      }
    ];
    expect(findParametersSource(cells)).toBe('a = 1\nb = 2');
    expect(findParametersSource(cells.slice(0, 2))).toBeNull();
  });
});

describe('parseParametersSource', () => {
  it('reads every literal type with comments', () => {
    const { parameters, skipped } = parseParametersSource(
      [
        '# Parameters for training',
        'n_estimators = 100  # trees',
        'learning_rate = 0.05',
        'tiny = 1e-3',
        'neg = -2',
        'big = 1_000_000',
        "name = 'iris # not a comment'  # dataset",
        'path = "data/train.csv"',
        'verbose = True',
        'use_gpu = False',
        "layers = [64, 32, 'relu', [1.5, None], True]",
        'seed = None',
        'epochs: int = 10',
        '',
        'import numpy as np',
        'x = np.zeros(3)',
        'y = [1, 2',
        '    z = 1'
      ].join('\n')
    );
    const byName = Object.fromEntries(parameters.map(p => [p.name, p]));
    expect(parameters.map(p => p.name)).toEqual([
      'n_estimators',
      'learning_rate',
      'tiny',
      'neg',
      'big',
      'name',
      'path',
      'verbose',
      'use_gpu',
      'layers',
      'seed',
      'epochs'
    ]);
    expect(byName.n_estimators).toEqual({
      name: 'n_estimators',
      value: 100,
      type: 'int',
      literal: '100',
      comment: 'trees'
    });
    expect(byName.learning_rate).toMatchObject({ value: 0.05, type: 'float' });
    expect(byName.tiny).toMatchObject({ value: 0.001, type: 'float' });
    expect(byName.neg).toMatchObject({ value: -2, type: 'int' });
    expect(byName.big).toMatchObject({ value: 1000000, type: 'int' });
    expect(byName.name).toMatchObject({
      value: 'iris # not a comment',
      type: 'str',
      comment: 'dataset'
    });
    expect(byName.path).toMatchObject({ value: 'data/train.csv', type: 'str' });
    expect(byName.verbose).toMatchObject({ value: true, type: 'bool' });
    expect(byName.use_gpu).toMatchObject({ value: false, type: 'bool' });
    expect(byName.layers).toMatchObject({
      value: [64, 32, 'relu', [1.5, null], true],
      type: 'list'
    });
    expect(byName.seed).toMatchObject({ value: null, type: 'None' });
    expect(byName.epochs).toMatchObject({ value: 10, type: 'int' });
    expect(skipped).toEqual([
      'import numpy as np',
      'x = np.zeros(3)',
      'y = [1, 2',
      'z = 1'
    ]);
  });

  it('keeps the last assignment of a name', () => {
    const { parameters } = parseParametersSource('a = 1\nb = 2\na = 3');
    expect(parameters.map(p => [p.name, p.value])).toEqual([
      ['b', 2],
      ['a', 3]
    ]);
  });

  it('rejects comparisons, trailing code and unsupported literals', () => {
    const { parameters, skipped } = parseParametersSource(
      'a == 1\nb = 1 + 2\nc = (1, 2)\nd = {"k": 1}\ne = """doc"""\nf = 1.2.3'
    );
    expect(parameters).toEqual([]);
    expect(skipped).toHaveLength(6);
  });

  it('decodes string escapes', () => {
    expect(parsePythonLiteral("'a\\'b\\n\\x41\\\\'").value).toBe("a'b\nA\\");
    expect(parsePythonLiteral('"\\d"').value).toBe('\\d');
    expect(() => parsePythonLiteral("'open")).toThrow(SyntaxError);
  });
});

describe('checkParameterValue', () => {
  it('checks ints', () => {
    expect(checkParameterValue('int', ' 42 ')).toEqual({ ok: true, value: 42 });
    expect(checkParameterValue('int', '-1_000')).toEqual({
      ok: true,
      value: -1000
    });
    expect(checkParameterValue('int', '1.5').ok).toBe(false);
    expect(checkParameterValue('int', 'ten').ok).toBe(false);
    expect(checkParameterValue('int', '').ok).toBe(false);
    expect(checkParameterValue('int', '99999999999999999999').ok).toBe(false);
  });

  it('checks floats, accepting integers', () => {
    expect(checkParameterValue('float', '0.01')).toEqual({
      ok: true,
      value: 0.01
    });
    expect(checkParameterValue('float', '3')).toEqual({ ok: true, value: 3 });
    expect(checkParameterValue('float', '1e-4')).toEqual({
      ok: true,
      value: 0.0001
    });
    expect(checkParameterValue('float', '.5')).toEqual({
      ok: true,
      value: 0.5
    });
    expect(checkParameterValue('float', 'nan').ok).toBe(false);
    expect(checkParameterValue('float', '1e999').ok).toBe(false);
    expect(checkParameterValue('float', '0.1abc').ok).toBe(false);
  });

  it('takes strings verbatim', () => {
    expect(checkParameterValue('str', " it's ")).toEqual({
      ok: true,
      value: " it's "
    });
    expect(checkParameterValue('str', '')).toEqual({ ok: true, value: '' });
  });

  it('checks booleans', () => {
    expect(checkParameterValue('bool', 'True')).toEqual({
      ok: true,
      value: true
    });
    expect(checkParameterValue('bool', 'false')).toEqual({
      ok: true,
      value: false
    });
    expect(checkParameterValue('bool', '1').ok).toBe(false);
  });

  it('checks lists in Python or JSON syntax', () => {
    expect(checkParameterValue('list', "[1, 'a', None]")).toEqual({
      ok: true,
      value: [1, 'a', null]
    });
    expect(checkParameterValue('list', '["a", true]').ok).toBe(false);
    expect(checkParameterValue('list', '[]')).toEqual({ ok: true, value: [] });
    expect(checkParameterValue('list', '5').ok).toBe(false);
    expect(checkParameterValue('list', '[1,').ok).toBe(false);
  });

  it('lets a None default take any literal', () => {
    expect(checkParameterValue('None', '')).toEqual({ ok: true, value: null });
    expect(checkParameterValue('None', 'None')).toEqual({
      ok: true,
      value: null
    });
    expect(checkParameterValue('None', '7')).toEqual({ ok: true, value: 7 });
    expect(checkParameterValue('None', "'x'")).toEqual({
      ok: true,
      value: 'x'
    });
    expect(checkParameterValue('None', 'x').ok).toBe(false);
  });
});

describe('formatting', () => {
  it('round-trips values through the edit text', () => {
    const cases: [Parameters<typeof checkParameterValue>[0], any][] = [
      ['int', 5],
      ['float', 0.25],
      ['str', "it's"],
      ['bool', true],
      ['list', [1, 'a', [null, false]]],
      ['None', null]
    ];
    for (const [type, value] of cases) {
      const text = formatParameterValue(type, value);
      expect(checkParameterValue(type, text)).toEqual({ ok: true, value });
    }
    expect(toPythonLiteral({ k: [true] })).toBe("{'k': [True]}");
  });
});
