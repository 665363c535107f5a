import { Type, type TUnsafe } from '@sinclair/typebox';

/* Schema helpers every feature's schemas use. */

/** A string enum rendered as `{type: string, enum: [...]}` so ajv names the field and the allowed values. */
export function StringEnum<T extends string[]>(values: [...T], options: Record<string, unknown> = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: values, ...options });
}
