import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createService } from './app.js';

/** The OpenAPI document as the routes define it, serialised exactly as openapi.json is committed. */
export async function generateOpenApi(): Promise<string> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'laketahoe-openapi-'));
  try {
    const service = await createService({
      host: '127.0.0.1',
      port: 0,
      rootDir: root,
      dataDir: path.join(root, '.laketahoe'),
      jobsDir: path.join(root, 'laketahoe-jobs'),
      python: 'python3',
      maxNotebookBytes: 1,
      maxFolderBytes: 1,
      tokens: new Map([['openapi', 'openapi']]),
      user: 'openapi',
      cpus: 1,
      memoryBytes: 1,
      gpus: 0,
      logLevel: 'silent',
      mlserver: 'mlserver',
      maxInferBytes: 1,
      deployTimeoutMs: 1
    });
    await service.app.ready();
    const doc = service.app.swagger();
    await service.close();
    return `${JSON.stringify(doc, null, 2)}\n`;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
