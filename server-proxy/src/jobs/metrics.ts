/**
 * Most values kept per metric of one run. Past it, every other older value is dropped (the first and
 * latest stay), so a long run keeps the shape of its whole curve; 100,000 values used to be answered
 * in one synchronous read.
 */
export const METRIC_RETENTION = 20_000;

/** Values per page of `GET /jobs/{id}/metrics` unless the caller asks for fewer. */
export const METRIC_PAGE_SIZE = 5000;

/** Largest page a caller may ask for. */
export const METRIC_MAX_PAGE_SIZE = 10_000;

/** Largest `maxPoints` (values per metric for a chart). */
export const METRIC_MAX_POINTS = 10_000;
