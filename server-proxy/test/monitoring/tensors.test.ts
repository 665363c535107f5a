import { decodeInputs, decodePredictions, type SignatureInput } from '../../src/monitoring/tensors.js';

const signature: SignatureInput[] = [
  {
    name: 'input-0',
    datatype: 'FP64',
    shape: [-1, 3],
    features: [
      { name: 'sepal_length', kind: 'numeric' },
      { name: 'sepal_width', kind: 'numeric' },
      { name: 'color', kind: 'categorical' }
    ]
  }
];
const columnsOf = (d: ReturnType<typeof decodeInputs>) => Object.fromEntries([...(d?.columns ?? [])].map(([k, v]) => [k, Array.from(v as ArrayLike<unknown>)]));

describe('OIP v2 tensor decoding', () => {
  test('a 2-D input [n, k] maps its columns onto the signature features, flat or nested', () => {
    const flat = decodeInputs([{ name: 'input-0', datatype: 'FP64', shape: [2, 3], data: [5.1, 3.5, 1, 6.2, 2.9, 0] }], signature);
    expect(flat?.rows).toBe(2);
    expect(columnsOf(flat)).toEqual({ sepal_length: [5.1, 6.2], sepal_width: [3.5, 2.9], color: [1, 0] });
    const nested = decodeInputs([{ name: 'whatever', datatype: 'FP64', shape: [2, 3], data: [[5.1, 3.5, 1], [6.2, 2.9, 0]] }], signature);
    expect(columnsOf(nested)).toEqual(columnsOf(flat));
  });

  test('one 1-D tensor per feature, BYTES as category strings', () => {
    const d = decodeInputs(
      [
        { name: 'sepal_length', datatype: 'FP64', shape: [3], data: [5.1, 6.2, 4.4] },
        { name: 'sepal_width', datatype: 'FP32', shape: [3, 1], data: [3.5, 2.9, 3.1] },
        { name: 'color', datatype: 'BYTES', shape: [3], data: ['red', 'blue', 'red'] }
      ],
      signature
    );
    expect(d?.rows).toBe(3);
    expect(columnsOf(d)).toEqual({ sepal_length: [5.1, 6.2, 4.4], sepal_width: [3.5, 2.9, 3.1], color: ['red', 'blue', 'red'] });
  });

  test('tensors that do not fit are not decoded: wrong size, wrong width, disagreeing row counts', () => {
    expect(decodeInputs([{ name: 'input-0', datatype: 'FP64', shape: [2, 3], data: [1, 2, 3] }], signature)).toBeUndefined();
    expect(decodeInputs([{ name: 'input-0', datatype: 'FP64', shape: [1, 2], data: [1, 2] }], signature)).toBeUndefined();
    expect(
      decodeInputs(
        [
          { name: 'sepal_length', datatype: 'FP64', shape: [2], data: [1, 2] },
          { name: 'sepal_width', datatype: 'FP64', shape: [3], data: [1, 2, 3] }
        ],
        signature
      )
    ).toBeUndefined();
    expect(decodeInputs(undefined, signature)).toBeUndefined();
    expect(decodeInputs([{ name: 'x', datatype: 'FP64', shape: 'bad' as unknown as number[], data: [] }], signature)).toBeUndefined();
  });

  test('predictions come from the signature output, one value per row', () => {
    const d = decodePredictions(
      [
        { name: 'proba', datatype: 'FP64', shape: [2, 2], data: [0.1, 0.9, 0.8, 0.2] },
        { name: 'predict', datatype: 'INT64', shape: [2], data: [1, 0] }
      ],
      [{ name: 'predict' }],
      'prediction'
    );
    expect(columnsOf(d)).toEqual({ prediction: [1, 0] });
    expect(decodePredictions([{ name: 'proba', datatype: 'FP64', shape: [2, 2], data: [0.1, 0.9, 0.8, 0.2] }], [], 'prediction')).toBeUndefined();
  });
});
