import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateOpenApi } from '../openapi.js';

/** Regenerates server-proxy/openapi.json from the route schemas (`npm run openapi`). */
const target = fileURLToPath(new URL('../../openapi.json', import.meta.url));
fs.writeFileSync(target, await generateOpenApi());
process.stdout.write(`wrote ${target}\n`);
