import fs from 'node:fs';
import path from 'node:path';
import { generateOpenApi } from '../src/openapi.js';
import { PROXY_DIR } from './helpers/service.js';

describe('openapi.json', () => {
  test('the committed document equals what the routes generate (npm run openapi regenerates it)', async () => {
    const committed = fs.readFileSync(path.join(PROXY_DIR, 'openapi.json'), 'utf8');
    const generated = await generateOpenApi();
    expect(committed).toBe(generated);
    const doc = JSON.parse(generated);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/jobs', '/api/v1/jobs/{jobId}', '/api/v1/events', '/api/v1/jobs/{jobId}/logs/stream'])
    );
    expect(doc.paths['/api/v1/jobs'].post.requestBody.content['application/json'].schema.properties.trainingInput).toBeDefined();
  });
});
