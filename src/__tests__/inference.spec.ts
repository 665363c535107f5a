import {
  baselineFromJson,
  buildInferRequest,
  curlSnippet,
  endpointUrl,
  formatJson,
  isColumnsLayout,
  parseInferRequest,
  pythonSnippet,
  requestRows,
  typicalValue
} from '../model/inference';
import { IModelSignature } from '../wire';
import { makeDeployment } from './helpers';

const signature: IModelSignature = {
  inputs: [
    {
      name: 'input-0',
      datatype: 'FP64',
      shape: [-1, 3],
      features: [
        { name: 'sepal_length', kind: 'numeric' },
        { name: 'petal_width', kind: 'numeric' },
        { name: 'missing', kind: 'numeric' }
      ]
    }
  ],
  outputs: [{ name: 'predict', datatype: 'INT64', shape: [-1] }]
};

const baseline = baselineFromJson({
  rows: 150,
  features: [
    {
      name: 'sepal_length',
      kind: 'numeric',
      edges: [4.3, 4.8, 5, 5.3, 5.6, 5.8, 6.1, 6.3, 6.5, 6.9, 7.9],
      counts: [16, 16, 15, 15, 15, 15, 15, 15, 15, 13]
    },
    { name: 'petal_width', kind: 'numeric', sample: [0.2, 1.3, 2.5, 0.4, 1.8] },
    { name: 'color', kind: 'categorical', categories: { red: 3, blue: 10 } }
  ]
});

describe('test request from a signature', () => {
  it('fills each feature with its training median, in signature order', () => {
    const request = buildInferRequest(signature, baseline);
    expect(request).toEqual({
      inputs: [
        {
          name: 'input-0',
          shape: [1, 3],
          datatype: 'FP64',
          data: [5.8, 1.3, 0]
        }
      ]
    });
    // Rows repeat the typical row.
    expect(buildInferRequest(signature, baseline, 2).inputs[0]).toMatchObject({
      shape: [2, 3],
      data: [5.8, 1.3, 0, 5.8, 1.3, 0]
    });
  });

  it('sends one input per column for a DataFrame signature', () => {
    expect(typicalValue(baseline.get('color'), 'categorical')).toBe('blue');
    const columns: IModelSignature = {
      inputs: [
        {
          name: 'sepal_length',
          datatype: 'INT64',
          shape: [-1],
          features: [{ name: 'sepal_length', kind: 'numeric' }]
        },
        {
          name: 'color',
          datatype: 'BYTES',
          shape: [-1],
          features: [{ name: 'color', kind: 'categorical' }]
        }
      ],
      outputs: []
    };
    expect(isColumnsLayout(columns)).toBe(true);
    expect(isColumnsLayout(signature)).toBe(false);
    const request = buildInferRequest(columns, baseline, 2);
    expect(request).toEqual({
      inputs: [
        { name: 'sepal_length', shape: [2], datatype: 'INT64', data: [6, 6] },
        {
          name: 'color',
          shape: [2],
          datatype: 'BYTES',
          data: ['blue', 'blue'],
          parameters: { content_type: 'str' }
        }
      ],
      parameters: { content_type: 'pd' }
    });
    expect(requestRows(request)).toEqual([
      [6, 'blue'],
      [6, 'blue']
    ]);
  });

  it('works from the shape alone, without baseline or feature names', () => {
    const request = buildInferRequest({
      inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }],
      outputs: []
    });
    expect(request.inputs[0]).toEqual({
      name: 'x',
      shape: [1, 4],
      datatype: 'FP32',
      data: [0, 0, 0, 0]
    });
    expect(buildInferRequest(null)).toEqual({ inputs: [] });
    expect(baselineFromJson(null).size).toBe(0);
  });

  it('formats the body with lists of values on one line', () => {
    const text = formatJson(buildInferRequest(signature, baseline, 2));
    expect(text).toContain('"shape": [2, 3]');
    expect(text).toContain('"data": [5.8, 1.3, 0, 5.8, 1.3, 0]');
    expect(JSON.parse(text)).toEqual(buildInferRequest(signature, baseline, 2));
  });

  it('checks an edited body before sending it', () => {
    expect(parseInferRequest('{"inputs": [')).toEqual({
      error: expect.stringContaining('Not valid JSON')
    });
    expect(parseInferRequest('{"inputs": []}')).toEqual({
      error: 'The body needs a non-empty "inputs" list.'
    });
    const ok = parseInferRequest(
      JSON.stringify(buildInferRequest(signature, baseline))
    );
    expect('request' in ok && ok.request.inputs[0].name).toBe('input-0');
  });
});

describe('endpoint snippets', () => {
  const deployment = makeDeployment('iris-prod', 'READY');
  const request = buildInferRequest(signature, baseline, 2);

  it('builds the endpoint URL under the proxy mount', () => {
    expect(endpointUrl('http://localhost:8888/user/alice/', deployment)).toBe(
      'http://localhost:8888/user/alice/laketahoe/api/v1/deployments/iris-prod/v2/models/iris/infer'
    );
  });

  it('quotes the body of the curl command for the shell', () => {
    const url = 'http://h/laketahoe/api/v1/deployments/d/v2/models/m/infer';
    const snippet = curlSnippet(url, {
      inputs: [{ name: "it's", shape: [1], datatype: 'BYTES', data: ['a'] }]
    });
    expect(snippet).toBe(
      [
        `curl -X POST '${url}' \\`,
        '  -H "Authorization: token $JUPYTER_TOKEN" \\',
        "  -H 'Content-Type: application/json' \\",
        `  -d '{"inputs":[{"name":"it'\\''s","shape":[1],"datatype":"BYTES","data":["a"]}]}'`
      ].join('\n')
    );
  });

  it('passes the rows to laketahoe.predict in Python', () => {
    expect(pythonSnippet(deployment, request)).toBe(
      [
        'import laketahoe',
        '',
        'X = [[5.8, 1.3, 0], [5.8, 1.3, 0]]',
        'predictions = laketahoe.predict("iris-prod", X)',
        'print(predictions)'
      ].join('\n')
    );
    const flags = pythonSnippet(deployment, {
      inputs: [{ name: 'b', shape: [2], datatype: 'BOOL', data: [true, null] }]
    });
    expect(flags).toContain('X = [[True], [None]]');
  });
});
