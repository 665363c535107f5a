/**
 * Rewrites the JSON Schema (draft-07) keywords that OpenAPI 3.0 spells differently.
 *
 * The route schemas are validated by Ajv as draft-07, where `exclusiveMinimum`/`exclusiveMaximum` are numbers.
 * OpenAPI 3.0.x uses the draft-04 form: a boolean beside `minimum`/`maximum`. The document is rewritten, never
 * the schemas, so validation keeps its meaning and the published document stays valid for the version it
 * declares.
 */
export function toOpenApi30<T>(document: T): T {
  return rewrite(document) as T;
}

function rewrite(node: unknown): unknown {
  if (Array.isArray(node)) {
    return node.map(rewrite);
  }
  if (node === null || typeof node !== 'object') {
    return node;
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = rewrite(value);
  }
  for (const [exclusive, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum']
  ] as const) {
    const limit = out[exclusive];
    if (typeof limit === 'number') {
      // A draft-07 schema could carry both; the tighter bound wins, as it does for a validator.
      const inclusive = out[bound];
      if (typeof inclusive === 'number' && (bound === 'minimum' ? inclusive > limit : inclusive < limit)) {
        delete out[exclusive];
      } else {
        out[bound] = limit;
        out[exclusive] = true;
      }
    }
  }
  return out;
}
