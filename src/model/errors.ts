/** What was thrown, as an Error (a thrown string or value is wrapped). */
export function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
