/**
 * Paths of an outbox message whose NUMBERS the PII scan skips (strings there are still scanned).
 * Kept minimal: only counters the window closer computes, never a value copied from an event.
 * A sum of a metric or a cell count can grow to 10+ digits and collide with a BD NID or a phone
 * number by chance; min and max are event values and stay scanned, as the same values are in
 * records. Tokens, event ids and timestamps need no exemption: the scanner recognizes them.
 */
export const OUTBOX_SCAN_EXEMPT_PATHS: readonly string[] = [
  '$.aggregate.count',
  '$.aggregate.distinctSubjects',
  '$.aggregate.metrics.*.sum',
  '$.aggregate.metrics.*.counts[*]',
];
