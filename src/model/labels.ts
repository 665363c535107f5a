/** Most labels on a job and characters in a key or value, as the service allows. */
export const MAX_LABELS = 64;
export const MAX_LABEL_LENGTH = 63;

/** Labels as edited in one line: `key=value, key2=value2` (a bare `key` has an empty value). */
export function formatLabels(labels: { [key: string]: string }): string {
  return Object.entries(labels)
    .map(([key, value]) => (value ? `${key}=${value}` : key))
    .join(', ');
}

/**
 * Labels from one edited line (see {@link formatLabels}), or the reason
 * they are refused, checked as the service checks them.
 */
export function parseLabels(
  text: string
): { labels: { [key: string]: string } } | { error: string } {
  const labels: { [key: string]: string } = {};
  for (const part of text.split(',')) {
    const item = part.trim();
    if (!item) {
      continue;
    }
    const cut = item.indexOf('=');
    const key = (cut < 0 ? item : item.slice(0, cut)).trim();
    const value = cut < 0 ? '' : item.slice(cut + 1).trim();
    if (!key) {
      return { error: `"${item}" has no key` };
    }
    if (key.length > MAX_LABEL_LENGTH || value.length > MAX_LABEL_LENGTH) {
      return {
        error: `"${item}": keys and values have at most ${MAX_LABEL_LENGTH} characters`
      };
    }
    labels[key] = value;
  }
  if (Object.keys(labels).length > MAX_LABELS) {
    return { error: `at most ${MAX_LABELS} labels` };
  }
  return { labels };
}
