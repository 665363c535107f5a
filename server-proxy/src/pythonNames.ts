/**
 * Parameter names become Python variables (papermill writes `name = value` into the notebook) and
 * command-line flags, so each must be a plain ASCII identifier and not a keyword: anything else is
 * either code injected into the job or a notebook that fails with a SyntaxError.
 */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Python 3 keywords; the soft ones (`match`, `case`, `type`, `_`) are legal variable names. */
const KEYWORDS: ReadonlySet<string> = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del',
  'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal',
  'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield'
]);

/** What a parameter name must be, for error messages. */
export const PARAMETER_NAME_RULE =
  'must be a Python identifier: a letter or underscore, then letters, digits or underscores (at most 128), and not a keyword';

/** Whether `name` can be a notebook variable and a flag name. */
export function isParameterName(name: unknown): name is string {
  return typeof name === 'string' && IDENTIFIER.test(name) && !KEYWORDS.has(name);
}
