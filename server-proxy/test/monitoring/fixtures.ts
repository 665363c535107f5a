import fs from 'node:fs';
import path from 'node:path';
import type { InferenceSample, MonitoredDeployment } from '../../src/monitoring/recorder.js';

/** Training values of feature `x`: uniform over [0, 10). */
export const TRAINING_X = Array.from({ length: 1000 }, (_, i) => i / 100);

/** Writes a saved model folder with a manifest and a baseline.json in the contract's shape. */
export function writeModelFolder(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'laketahoe-model.json'),
    JSON.stringify({
      name: 'iris',
      framework: 'sklearn',
      task: 'classification',
      signature: {
        inputs: [
          {
            name: 'input-0',
            datatype: 'FP64',
            shape: [-1, 2],
            features: [
              { name: 'x', kind: 'numeric' },
              { name: 'y', kind: 'numeric' }
            ]
          },
          { name: 'color', datatype: 'BYTES', shape: [-1], features: [{ name: 'color', kind: 'categorical' }] }
        ],
        outputs: [{ name: 'predict', datatype: 'INT64', shape: [-1] }]
      }
    })
  );
  const edges = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9.99];
  fs.writeFileSync(
    path.join(dir, 'baseline.json'),
    JSON.stringify({
      rows: 1000,
      features: [
        { name: 'x', kind: 'numeric', edges, counts: Array(10).fill(100), sample: TRAINING_X },
        { name: 'y', kind: 'numeric', edges, counts: Array(10).fill(100), sample: TRAINING_X },
        { name: 'color', kind: 'categorical', categories: { red: 500, blue: 500 } }
      ],
      prediction: { name: 'prediction', kind: 'categorical', categories: { '0': 500, '1': 500 } }
    })
  );
  return dir;
}

/** A deployment of that folder with the contract's default rules over a 60 s window. */
export function deployment(owner: string, name: string, artifactDir: string): MonitoredDeployment {
  return {
    owner,
    deployment: name,
    model: 'iris',
    version: 1,
    artifactDir,
    monitoring: {
      windowSeconds: 60,
      drift: { numeric: 'psi', categorical: 'js', threshold: 0.2 },
      alerts: [
        { name: 'drift', metric: 'drift', threshold: 0.2 },
        { name: 'slow', metric: 'latencyP99Ms', threshold: 500 },
        { name: 'errors', metric: 'errorRate', threshold: 0.05 }
      ]
    }
  };
}

/**
 * One answered request of `rows` rows: x and y spread over the training range (plus `shift` on x),
 * colors alternating, as a 2-D tensor plus a BYTES tensor.
 */
export function sample(
  owner: string,
  name: string,
  time: number,
  options: { rows?: number; shift?: number; status?: number; latencyMs?: number; offset?: number } = {}
): InferenceSample {
  const n = options.rows ?? 10;
  const offset = options.offset ?? 0;
  const data: number[] = [];
  const colors: string[] = [];
  const predictions: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = ((offset + i) * 37) % 1000 / 100;
    data.push(v + (options.shift ?? 0), v);
    colors.push((offset + i) % 2 ? 'red' : 'blue');
    predictions.push((offset + i) % 2);
  }
  return {
    owner,
    deployment: name,
    model: 'iris',
    version: 1,
    time,
    latencyMs: options.latencyMs ?? 5,
    status: options.status ?? 200,
    inputs: [
      { name: 'input-0', datatype: 'FP64', shape: [n, 2], data },
      { name: 'color', datatype: 'BYTES', shape: [n], data: colors }
    ],
    outputs: [{ name: 'predict', datatype: 'INT64', shape: [n], data: predictions }]
  };
}
