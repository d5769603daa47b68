import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { ResourceDefinitionError } from '../errors.ts';

const KeyAttributeSchema = z.object({
  name: z.string().min(1).max(255),
  type: z.enum(['S', 'N', 'B']),
});

/** A DynamoDB table `residency up` creates: name and key schema, always PAY_PER_REQUEST. */
export const TableSpecSchema = z.object({
  // dynalite refuses names under 3 characters, as DynamoDB does.
  name: z.string().regex(/^[a-zA-Z0-9_.-]{3,255}$/),
  partitionKey: KeyAttributeSchema,
  sortKey: KeyAttributeSchema.optional(),
});

/** A Kinesis stream `residency up` creates. */
export const StreamSpecSchema = z.object({
  name: z.string().regex(/^[a-zA-Z0-9_.-]{1,128}$/),
  /** Shards when the stream is created. Default: the stack's `shardCount`. */
  shardCount: z.number().int().min(1).max(100).optional(),
});

/**
 * Everything `residency up` provisions, by role. Roles are the keys of `streams` and `tables` in
 * `DIR/endpoints.json`; names are what the emulators see.
 */
export const LocalResourceDefinitionsSchema = z.object({
  streams: z.record(z.string(), StreamSpecSchema),
  tables: z.record(z.string(), TableSpecSchema),
  /** Alias of the in-region customer managed key. */
  keyAlias: z.string().regex(/^alias\/(?!aws\/)[a-zA-Z0-9/_-]{1,250}$/),
});

/** See {@link TableSpecSchema}. */
export type TableSpec = z.infer<typeof TableSpecSchema>;
/** See {@link StreamSpecSchema}. */
export type StreamSpec = z.infer<typeof StreamSpecSchema>;
/** See {@link LocalResourceDefinitionsSchema}. */
export type LocalResourceDefinitions = z.infer<typeof LocalResourceDefinitionsSchema>;

/** A table with the composite string key `pk` + `sk` that every residency table uses. */
export const compositeKey = (name: string): TableSpec => ({
  name,
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
});

/**
 * The default local resources: streams `events` and `outbox`, the pipeline's tables (all with a
 * composite `pk`/`sk` string key, PAY_PER_REQUEST) and the key alias `alias/residency-data`.
 * Later packages add theirs with {@link extendLocalResources}.
 *
 * @example
 * const resources = extendLocalResources(LocalResources, {
 *   tables: { windows: { name: 'residency-windows', partitionKey: { name: 'pk', type: 'S' } } },
 * });
 * await startLocalStack({ dataDir, region, resources });
 */
export const LocalResources: LocalResourceDefinitions = Object.freeze({
  streams: Object.freeze({
    events: { name: 'residency-events' },
    outbox: { name: 'residency-outbox' },
  }),
  tables: Object.freeze({
    vault: compositeKey('residency-vault'),
    audit: compositeKey('residency-audit'),
    aggregates: compositeKey('residency-aggregates'),
    quarantine: compositeKey('residency-quarantine'),
    egressLog: compositeKey('residency-egress-log'),
    checkpoints: compositeKey('residency-checkpoints'),
    controlRecords: compositeKey('residency-control-records'),
  }),
  keyAlias: 'alias/residency-data',
});

/** What {@link extendLocalResources} adds. */
export interface LocalResourceExtension {
  streams?: Record<string, StreamSpec>;
  tables?: Record<string, TableSpec>;
}

/**
 * Returns `base` plus `extension`. A role defined again with the same spec is fine (two packages
 * may declare the table they share); a role redefined differently, or two roles with one name,
 * is a {@link ResourceDefinitionError}.
 */
export function extendLocalResources(
  base: LocalResourceDefinitions,
  extension: LocalResourceExtension,
): LocalResourceDefinitions {
  const merged = {
    streams: merge('stream', base.streams, extension.streams ?? {}),
    tables: merge('table', base.tables, extension.tables ?? {}),
    keyAlias: base.keyAlias,
  };
  return validateLocalResources(merged);
}

/** Validates definitions (names, uniqueness); throws {@link ResourceDefinitionError}. */
export function validateLocalResources(definitions: LocalResourceDefinitions): LocalResourceDefinitions {
  const parsed = LocalResourceDefinitionsSchema.safeParse(definitions);
  if (!parsed.success) {
    throw new ResourceDefinitionError(`invalid local resources: ${z.prettifyError(parsed.error)}`);
  }
  for (const [kind, specs] of [
    ['stream', parsed.data.streams],
    ['table', parsed.data.tables],
  ] as const) {
    const roleByName = new Map<string, string>();
    for (const [role, spec] of Object.entries(specs)) {
      const other = roleByName.get(spec.name);
      if (other)
        throw new ResourceDefinitionError(
          `${kind} roles '${other}' and '${role}' share the name '${spec.name}'`,
        );
      roleByName.set(spec.name, role);
    }
  }
  return parsed.data;
}

function merge<T>(kind: string, base: Record<string, T>, extra: Record<string, T>): Record<string, T> {
  const result: Record<string, T> = { ...base };
  for (const [role, spec] of Object.entries(extra)) {
    const existing = result[role];
    if (existing !== undefined && !isDeepStrictEqual(existing, spec)) {
      throw new ResourceDefinitionError(`${kind} role '${role}' is already defined differently`);
    }
    result[role] = spec;
  }
  return result;
}
