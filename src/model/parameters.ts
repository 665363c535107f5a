/**
 * Reads the papermill `parameters` cell of a notebook and checks edited
 * values against the types the cell declares.
 *
 * Only simple one-line assignments are understood:
 * `name = <python literal>  # optional comment`, optionally annotated
 * (`name: int = 3`). Anything else (imports, expressions, multi-line
 * literals) is reported as skipped and keeps its notebook value.
 */
import { JSONValue } from '../wire';

/** Tag papermill looks for. */
export const PARAMETERS_TAG = 'parameters';

/** Types a parameter can have. */
export type ParameterType = 'int' | 'float' | 'str' | 'bool' | 'list' | 'None';

/** One parameter of the `parameters` cell. */
export interface INotebookParameter {
  /** Variable name. */
  name: string;
  /** The value as JSON (None is null, tuples are not supported). */
  value: JSONValue;
  /** The literal's type. */
  type: ParameterType;
  /** The literal as written in the cell. */
  literal: string;
  /** The trailing comment, without `#`. */
  comment: string;
}

/** What {@link parseParametersSource} found. */
export interface IParametersParse {
  /** Parameters in cell order; a reassigned name keeps its last value. */
  parameters: INotebookParameter[];
  /** Non-blank, non-comment lines that were not understood. */
  skipped: string[];
}

/** The result of checking an edited value. */
export type ParameterCheck =
  | { ok: true; value: JSONValue }
  | { ok: false; error: string };

/** Minimal view of a notebook cell, satisfied by nbformat and the live model. */
export interface ICellLike {
  /** Cell type. */
  cell_type: string;
  /** Source as one string or lines. */
  source: string | string[];
  /** Cell metadata, where tags live. */
  metadata?: { tags?: unknown } | Record<string, unknown>;
}

/** Source of the first code cell tagged `parameters`, or null. */
export function findParametersSource(
  cells: readonly ICellLike[]
): string | null {
  for (const cell of cells) {
    if (cell.cell_type !== 'code') {
      continue;
    }
    const tags = (cell.metadata as { tags?: unknown } | undefined)?.tags;
    if (Array.isArray(tags) && tags.includes(PARAMETERS_TAG)) {
      return Array.isArray(cell.source) ? cell.source.join('') : cell.source;
    }
  }
  return null;
}

const ASSIGNMENT =
  /^([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*[A-Za-z_][\w.[\], ]*)?\s*=(?!=)\s*(.*)$/;

/** Parse the source of a `parameters` cell. */
export function parseParametersSource(source: string): IParametersParse {
  const byName = new Map<string, INotebookParameter>();
  const skipped: string[] = [];
  for (const raw of source.split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) {
      continue;
    }
    // Indented lines belong to a block we do not understand.
    const match = raw === raw.trimStart() ? ASSIGNMENT.exec(line) : null;
    if (!match) {
      skipped.push(line);
      continue;
    }
    const [, name, rest] = match;
    try {
      const reader = new LiteralReader(rest);
      const start = reader.pos;
      const { value, type } = reader.readValue();
      const literal = rest.slice(start, reader.pos).trim();
      reader.skipSpace();
      let comment = '';
      if (reader.peek() === '#') {
        comment = rest.slice(reader.pos + 1).trim();
      } else if (!reader.atEnd()) {
        throw new SyntaxError('trailing text');
      }
      byName.delete(name);
      byName.set(name, { name, value, type, literal, comment });
    } catch {
      skipped.push(line);
    }
  }
  return { parameters: [...byName.values()], skipped };
}

/** Parse one complete Python literal (used for list and None edits). */
export function parsePythonLiteral(text: string): {
  value: JSONValue;
  type: ParameterType;
} {
  const reader = new LiteralReader(text);
  const result = reader.readValue();
  reader.skipSpace();
  if (!reader.atEnd()) {
    throw new SyntaxError(
      `Unexpected text after the value: "${text.slice(reader.pos)}"`
    );
  }
  return result;
}

/**
 * Check an edited value (as typed in a form) against a parameter's type.
 *
 * Strings are typed without quotes; booleans as True/False; lists as Python
 * list literals (True/False/None inside); a `None` default accepts any
 * literal, or nothing for None.
 */
export function checkParameterValue(
  type: ParameterType,
  text: string
): ParameterCheck {
  const trimmed = text.trim();
  switch (type) {
    case 'str':
      return { ok: true, value: text };
    case 'int': {
      if (!/^[+-]?\d(?:_?\d)*$/.test(trimmed)) {
        return { ok: false, error: 'Expected an integer, such as 100.' };
      }
      const value = Number(trimmed.replace(/_/g, ''));
      if (!Number.isSafeInteger(value)) {
        return { ok: false, error: 'The integer is too large.' };
      }
      return { ok: true, value };
    }
    case 'float': {
      const cleaned = trimmed.replace(/(\d)_(?=\d)/g, '$1');
      if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(cleaned)) {
        return { ok: false, error: 'Expected a number, such as 0.01.' };
      }
      const value = Number(cleaned);
      if (!Number.isFinite(value)) {
        return { ok: false, error: 'The number is out of range.' };
      }
      return { ok: true, value };
    }
    case 'bool':
      if (/^(true|false)$/i.test(trimmed)) {
        return { ok: true, value: trimmed.toLowerCase() === 'true' };
      }
      return { ok: false, error: 'Expected True or False.' };
    case 'list':
      try {
        const parsed = parsePythonLiteral(trimmed);
        if (parsed.type !== 'list') {
          return { ok: false, error: 'Expected a list, such as [1, 2, 3].' };
        }
        return { ok: true, value: parsed.value };
      } catch (error) {
        return {
          ok: false,
          error: `Expected a list, such as [1, 2, 3]: ${(error as Error).message}`
        };
      }
    case 'None':
      if (trimmed === '' || trimmed === 'None') {
        return { ok: true, value: null };
      }
      try {
        return { ok: true, value: parsePythonLiteral(trimmed).value };
      } catch (error) {
        return {
          ok: false,
          error: `Expected a Python literal or None: ${(error as Error).message}`
        };
      }
  }
}

/** Text to show in an edit field for a parameter value (inverse of the check). */
export function formatParameterValue(
  type: ParameterType,
  value: JSONValue
): string {
  if (type === 'str' && typeof value === 'string') {
    return value;
  }
  return toPythonLiteral(value);
}

/** Render a JSON value as a Python literal. */
export function toPythonLiteral(value: JSONValue): string {
  if (value === null) {
    return 'None';
  }
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  if (typeof value === 'number') {
    return String(value);
  }
  if (typeof value === 'string') {
    return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  }
  if (Array.isArray(value)) {
    return `[${value.map(toPythonLiteral).join(', ')}]`;
  }
  return `{${Object.entries(value)
    .map(([k, v]) => `${toPythonLiteral(k)}: ${toPythonLiteral(v)}`)
    .join(', ')}}`;
}

/** Whether two JSON values are equal (deep, for parameter change detection). */
export function jsonEqual(a: JSONValue, b: JSONValue): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const ESCAPES: { [key: string]: string } = {
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v'
};

/** A recursive-descent reader for the literal subset we accept. */
class LiteralReader {
  constructor(private readonly text: string) {}

  pos = 0;

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text[this.pos] ?? '';
  }

  skipSpace(): void {
    while (!this.atEnd() && /\s/.test(this.peek())) {
      this.pos++;
    }
  }

  readValue(): { value: JSONValue; type: ParameterType } {
    this.skipSpace();
    const c = this.peek();
    if (c === '[') {
      return { value: this.readList(), type: 'list' };
    }
    if (c === '"' || c === "'") {
      return { value: this.readString(), type: 'str' };
    }
    const rest = this.text.slice(this.pos);
    const word = /^(True|False|None)(?![\w])/.exec(rest);
    if (word) {
      this.pos += word[1].length;
      if (word[1] === 'None') {
        return { value: null, type: 'None' };
      }
      return { value: word[1] === 'True', type: 'bool' };
    }
    const number =
      /^[+-]?(?:(\d(?:_?\d)*)(?:(\.(?:\d(?:_?\d)*)?)?([eE][+-]?\d+)?)|(\.\d(?:_?\d)*)([eE][+-]?\d+)?)(?![\w.])/.exec(
        rest
      );
    if (number) {
      this.pos += number[0].length;
      const cleaned = number[0].replace(/_/g, '');
      const isFloat = /[.eE]/.test(cleaned);
      const value = Number(cleaned);
      if (
        !Number.isFinite(value) ||
        (!isFloat && !Number.isSafeInteger(value))
      ) {
        throw new SyntaxError(`Number out of range: ${number[0]}`);
      }
      return { value, type: isFloat ? 'float' : 'int' };
    }
    throw new SyntaxError(
      c
        ? `Unsupported value starting at "${rest.slice(0, 12)}"`
        : 'Missing value'
    );
  }

  readList(): JSONValue[] {
    this.pos++; // [
    const items: JSONValue[] = [];
    for (;;) {
      this.skipSpace();
      if (this.peek() === ']') {
        this.pos++;
        return items;
      }
      items.push(this.readValue().value);
      this.skipSpace();
      const c = this.peek();
      if (c === ',') {
        this.pos++;
      } else if (c !== ']') {
        throw new SyntaxError(
          c ? `Expected "," or "]" but found "${c}"` : 'Unclosed list'
        );
      }
    }
  }

  readString(): string {
    const quote = this.peek();
    if (this.text.startsWith(quote.repeat(3), this.pos)) {
      throw new SyntaxError('Triple-quoted strings are not supported');
    }
    this.pos++;
    let out = '';
    while (!this.atEnd()) {
      const c = this.text[this.pos++];
      if (c === quote) {
        return out;
      }
      if (c === '\\') {
        const e = this.text[this.pos++] ?? '';
        if (e in ESCAPES) {
          out += ESCAPES[e];
        } else if (e === 'x' || e === 'u') {
          const length = e === 'x' ? 2 : 4;
          const hex = this.text.slice(this.pos, this.pos + length);
          if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(hex)) {
            throw new SyntaxError(`Bad \\${e} escape`);
          }
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += length;
        } else {
          // Python keeps unknown escapes as written.
          out += '\\' + e;
        }
      } else {
        out += c;
      }
    }
    throw new SyntaxError('Unclosed string');
  }
}
