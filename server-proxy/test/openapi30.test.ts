import { toOpenApi30 } from '../src/openapi30.js';

describe('toOpenApi30', () => {
  test('rewrites draft-07 exclusive bounds into the OpenAPI 3.0 form, at any depth', () => {
    const doc = {
      openapi: '3.0.3',
      paths: {
        '/x': {
          post: {
            requestBody: {
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      cpu: { type: 'number', exclusiveMinimum: 0, maximum: 4096 },
                      ratio: { type: 'number', exclusiveMaximum: 1 },
                      list: { type: 'array', items: [{ type: 'number', exclusiveMinimum: 2 }] }
                    }
                  }
                }
              }
            }
          }
        }
      }
    };
    const out = toOpenApi30(doc);
    const props = out.paths['/x'].post.requestBody.content['application/json'].schema.properties;
    expect(props.cpu).toEqual({ type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 4096 });
    expect(props.ratio).toEqual({ type: 'number', maximum: 1, exclusiveMaximum: true });
    expect(props.list.items[0]).toEqual({ type: 'number', minimum: 2, exclusiveMinimum: true });
    // The input is left as it was: the route schemas keep validating with draft-07 meaning.
    expect(doc.paths['/x'].post.requestBody.content['application/json'].schema.properties.cpu.exclusiveMinimum).toBe(0);
  });

  test('keeps the tighter bound when a schema has both', () => {
    expect(toOpenApi30({ minimum: 5, exclusiveMinimum: 0 })).toEqual({ minimum: 5 });
    expect(toOpenApi30({ minimum: 0, exclusiveMinimum: 5 })).toEqual({ minimum: 5, exclusiveMinimum: true });
    expect(toOpenApi30({ maximum: 3, exclusiveMaximum: 10 })).toEqual({ maximum: 3 });
  });

  test('leaves the 3.0 form and everything else alone', () => {
    const schema = { type: 'integer', minimum: 1, exclusiveMinimum: true, enum: [1, 2], nullable: true };
    expect(toOpenApi30(schema)).toEqual(schema);
    expect(toOpenApi30(null)).toBeNull();
    expect(toOpenApi30(['a', 1])).toEqual(['a', 1]);
  });
});
