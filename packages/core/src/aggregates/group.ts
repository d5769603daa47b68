import { createHash } from 'node:crypto';
import { type AggregateWindow, windowKeyOf } from './window.ts';

/** What a cell is grouped by, besides its window: tenant, event type and public dimension values. */
export interface AggregateGroup {
  readonly catalog: string;
  readonly type: string;
  readonly tenantId: string;
  /** Dimension values by outbound attribute name; a dimension the event does not carry is left out. */
  readonly dimensions: Readonly<Record<string, string>>;
}

/** A canonical string of a group: equal groups give equal keys whatever the order of their dimensions. */
export function groupKeyOf(group: AggregateGroup): string {
  // Groups are immutable; the ingest asks for the key of each event's group more than once.
  let key = keyByGroup.get(group);
  if (key === undefined) {
    const dims = Object.entries(group.dimensions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    key = JSON.stringify([group.catalog, group.type, group.tenantId, dims]);
    keyByGroup.set(group, key);
  }
  return key;
}

const keyByGroup = new WeakMap<AggregateGroup, string>();

/**
 * The stable id of a cell (window + group): `c` and 32 base64url characters of a SHA-256 of the
 * window and the group. The same cell always gets the same id, so a redelivered release dedupes.
 *
 * @example cellIdOf({ startMillis: 0, seconds: 60 }, { catalog: 'clinicbook', type: 'note.added', tenantId: 't1', dimensions: {} })
 */
export function cellIdOf(window: AggregateWindow, group: AggregateGroup): string {
  const digest = createHash('sha256')
    .update(`${windowKeyOf(window)}\n${groupKeyOf(group)}`)
    .digest('base64url');
  return `c${digest.slice(0, 32)}`;
}
