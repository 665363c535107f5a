import { ServiceError } from '../errors.js';

/**
 * Deepest nesting a request body may have. Bodies ~20,000 levels deep failed with a 500 and ~1,000
 * levels were stored and then unreadable by Python's json (its recursion limit); nothing in the API
 * needs more than a handful of levels.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * How deeply `text` nests arrays and objects, found by scanning the text before it is parsed, so a
 * hostile body never reaches a recursive parser, validator or serializer. Stops counting past `limit`.
 */
export function jsonDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) {
        i++;
      } else if (c === 0x22 /* " */) {
        inString = false;
      }
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) {
          return deepest;
        }
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  return deepest;
}

/**
 * Finds a key that could poison prototypes once the value is merged into another object
 * (`Object.assign`, deep merges): an own `__proto__`, or a `constructor` holding a `prototype`.
 * Returns its dotted path, or undefined. The caller has already bounded the depth.
 */
export function poisonedKey(value: unknown, where = ''): string | undefined {
  if (value === null || typeof value !== 'object') {
    return undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = poisonedKey(value[i], `${where}[${i}]`);
      if (found) {
        return found;
      }
    }
    return undefined;
  }
  const own = value as Record<string, unknown>;
  for (const key of Object.keys(own)) {
    const at = where ? `${where}.${key}` : key;
    if (key === '__proto__') {
      return at;
    }
    const child = own[key];
    if (key === 'constructor' && child !== null && typeof child === 'object' && Object.prototype.hasOwnProperty.call(child, 'prototype')) {
      return `${at}.prototype`;
    }
    const found = poisonedKey(child, at);
    if (found) {
      return found;
    }
  }
  return undefined;
}

/**
 * Parses a JSON request body with the guards fastify's own parser would apply (prototype poisoning)
 * plus a nesting limit. An empty body reads as no body: Jupyter's ServerConnection sends
 * `Content-Type: application/json` on body-less POSTs (cancel).
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') {
    return undefined;
  }
  if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new ServiceError('invalid_argument', `request body: nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ServiceError('invalid_argument', `request body is not valid JSON: ${(error as Error).message}`);
  }
  const poisoned = poisonedKey(value);
  if (poisoned) {
    throw new ServiceError('invalid_argument', `${poisoned}: is not an allowed key`, poisoned);
  }
  return value;
}
