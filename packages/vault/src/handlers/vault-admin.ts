import {
  assertArnInRegion,
  assertAwsRegion,
  assertRegion,
  ConfigurationError,
  createAwsClients,
} from '@residency/aws';
import { TokenSchema } from '@residency/core';
import { z } from 'zod';
import { policyFromEnv } from '../access.ts';
import { createVault } from '../create-vault.ts';
import { DETOKENIZE_MAX_TOKENS } from '../detokenize.ts';
import {
  AmbiguousSubjectError,
  InvalidAccessRequestError,
  InvalidTokenRequestError,
  UnauthorizedError,
} from '../errors.ts';
import { outboxErasureSink } from '../outbox-erasure-sink.ts';
import { toSafeError } from '../safe-error.ts';
import { KIND_PATTERN, MAX_VALUE_LENGTH } from '../tokenize.ts';
import type { Vault } from '../vault.ts';

const IdentifierSchema = z.strictObject({
  kind: z.string().regex(KIND_PATTERN),
  value: z.string().min(1).max(MAX_VALUE_LENGTH),
});
const SubjectRefSchema = z.union([
  z.strictObject({ identifier: IdentifierSchema }),
  z.strictObject({ token: TokenSchema }),
]);
// Actor and purpose are only typed and bounded here: the vault checks them (pattern and PII scan)
// and audits a refusal, which a refusal here would not be.
const AccessShape = { actor: z.string().max(1024), purpose: z.string().max(1024) };

/** The event the admin function is invoked with (directly, never through a public endpoint). */
export const VaultAdminEventSchema = z.discriminatedUnion('action', [
  z.strictObject({
    ...AccessShape,
    action: z.literal('detokenize'),
    tokens: z.array(TokenSchema).min(1).max(DETOKENIZE_MAX_TOKENS),
  }),
  z.strictObject({ ...AccessShape, action: z.literal('erase'), subject: SubjectRefSchema }),
  z.strictObject({ ...AccessShape, action: z.literal('export'), subject: SubjectRefSchema }),
]);

/** See {@link VaultAdminEventSchema}. */
export type VaultAdminEvent = z.infer<typeof VaultAdminEventSchema>;

/**
 * Where a request was refused, and why: `path` is made of the schema's own keys and array
 * indexes (any other key is `*`: an unknown key is the caller's text), `code` is zod's issue code
 * or the vault's (`missing`, `pattern`, `pii`). Never a message, a key or a value of the request.
 */
export interface VaultAdminIssue {
  path: string;
  code: string;
}

/** What the admin function answers: the operation's result, or a refusal it can explain. */
export type VaultAdminResponse =
  | ({ ok: true; action: VaultAdminEvent['action'] } & Record<string, unknown>)
  | { ok: false; error: 'invalid_request'; issues: VaultAdminIssue[] }
  | { ok: false; error: 'unauthorized' }
  | { ok: false; error: 'ambiguous_subject'; subjectTokens: readonly string[] };

/** Every key the event schema knows, the only keys a response's issue path may show. */
const SCHEMA_KEYS: ReadonlySet<string> = new Set([
  'action',
  'tokens',
  'subject',
  ...Object.keys(AccessShape),
  ...Object.keys(IdentifierSchema.shape),
  'identifier',
  'token',
]);

/** An issue path of schema keys and indexes only. */
function safePath(path: readonly PropertyKey[]): string {
  return path
    .map((segment) =>
      typeof segment === 'number' || SCHEMA_KEYS.has(String(segment)) ? String(segment) : '*',
    )
    .join('.');
}

/** The configuration the function reads from its environment, checked at cold start. */
export interface VaultAdminConfig {
  dataRegion: string;
  keyArn: string;
  vaultTable: string;
  auditTable: string;
  /** The in-region outbox stream erasure notices leave on (through the forwarder). */
  outboxStream: string;
  /** Local runtime only: loopback endpoints from the SDK's standard `AWS_ENDPOINT_URL_<SERVICE>` variables. */
  endpoints: { dynamodb?: string; kms?: string; kinesis?: string };
}

/**
 * Reads and checks the environment: DATA_REGION, KEY_ARN, VAULT_TABLE, AUDIT_TABLE,
 * OUTBOX_STREAM_NAME (names or ARNs), and AWS_REGION (set by Lambda) when present. Fails closed: a
 * missing one throws `ConfigurationError` (without the outbox an erasure would never reach the
 * control plane), and the function's region, the key and any table or stream ARN must be in the
 * data region, or it throws `RegionMismatchError`.
 */
export function readVaultAdminConfig(env: Readonly<Record<string, string | undefined>>): VaultAdminConfig {
  const required = (name: string) => {
    const value = env[name];
    if (!value?.trim()) throw new ConfigurationError(`environment variable ${name} is required`, name);
    return value;
  };
  const dataRegion = assertAwsRegion(required('DATA_REGION'), 'DATA_REGION');
  if (env.AWS_REGION !== undefined) assertRegion(env.AWS_REGION, dataRegion, 'vault-admin function');
  const keyArn = required('KEY_ARN');
  assertArnInRegion(keyArn, dataRegion, 'vault KMS key');
  const named = (name: string, service: 'dynamodb' | 'kinesis', resourceType: 'table' | 'stream') => {
    const value = required(name);
    if (!value.startsWith('arn:')) return value;
    const arn = assertArnInRegion(value, dataRegion, name);
    const prefix = `${resourceType}/`;
    if (arn.service !== service || !arn.resource.startsWith(prefix)) {
      throw new ConfigurationError(`${name} is not a ${service} ${resourceType} ARN`, name);
    }
    return arn.resource.slice(prefix.length);
  };
  return {
    dataRegion,
    keyArn,
    vaultTable: named('VAULT_TABLE', 'dynamodb', 'table'),
    auditTable: named('AUDIT_TABLE', 'dynamodb', 'table'),
    outboxStream: named('OUTBOX_STREAM_NAME', 'kinesis', 'stream'),
    endpoints: {
      ...(env.AWS_ENDPOINT_URL_DYNAMODB ? { dynamodb: env.AWS_ENDPOINT_URL_DYNAMODB } : {}),
      ...(env.AWS_ENDPOINT_URL_KMS ? { kms: env.AWS_ENDPOINT_URL_KMS } : {}),
      ...(env.AWS_ENDPOINT_URL_KINESIS ? { kinesis: env.AWS_ENDPOINT_URL_KINESIS } : {}),
    },
  };
}

/**
 * Builds the admin handler over a vault. Thin: parse, call the vault, map the result.
 *
 * @example const handle = createVaultAdminHandler(vault); await handle({ action: 'export', ... })
 */
export function createVaultAdminHandler(vault: Vault): (event: unknown) => Promise<VaultAdminResponse> {
  return async (event) => {
    const parsed = VaultAdminEventSchema.safeParse(event);
    if (!parsed.success) {
      return {
        ok: false,
        error: 'invalid_request',
        issues: parsed.error.issues.map((i) => ({ path: safePath(i.path), code: i.code })),
      };
    }
    const { actor, purpose } = parsed.data;
    try {
      switch (parsed.data.action) {
        case 'detokenize':
          return {
            ok: true,
            action: 'detokenize',
            ...(await vault.detokenize(parsed.data.tokens, { actor, purpose })),
          };
        case 'erase':
          return {
            ok: true,
            action: 'erase',
            ...(await vault.eraseSubject(parsed.data.subject, { actor, purpose })),
          };
        case 'export':
          return {
            ok: true,
            action: 'export',
            ...(await vault.exportSubject(parsed.data.subject, { actor, purpose })),
          };
      }
    } catch (error) {
      return refusalOf(error);
    }
  };
}

/**
 * The response for a refusal the caller can act on; anything else is thrown as
 * {@link toSafeError} makes it (name, safe message, stack frames), so the Lambda runtime, which
 * logs every enumerable property of a thrown error, logs no token, field, cause or input.
 */
function refusalOf(error: unknown): VaultAdminResponse {
  if (error instanceof UnauthorizedError) return { ok: false, error: 'unauthorized' };
  if (error instanceof AmbiguousSubjectError) {
    return { ok: false, error: 'ambiguous_subject', subjectTokens: [...error.subjectTokens] };
  }
  if (error instanceof InvalidAccessRequestError) {
    return {
      ok: false,
      error: 'invalid_request',
      issues: error.issues.map((i) => ({ path: i.field, code: i.code })),
    };
  }
  if (error instanceof InvalidTokenRequestError) {
    return { ok: false, error: 'invalid_request', issues: [{ path: 'subject', code: 'invalid_value' }] };
  }
  throw toSafeError(error);
}

let cold: ((event: unknown) => Promise<VaultAdminResponse>) | undefined;

/**
 * The Lambda entry point. At cold start it checks its configuration against the data region
 * (refusing to run otherwise) and builds the vault once; warm invocations reuse it. Every client,
 * the outbox's Kinesis client too, comes from `createAwsClients`: pinned to the data region, its
 * endpoint overrides checked, the SDK's own endpoint settings ignored. An erasure puts its notice
 * on the outbox before deleting anything; if the put fails the invocation fails
 * (`ErasureNoticeDeliveryError`) with nothing erased, and can be repeated. Whatever it throws, at
 * cold start or later, is a {@link toSafeError} copy: no fields, tokens, cause or request input
 * for the runtime to log.
 */
export async function handler(event: unknown): Promise<VaultAdminResponse> {
  if (!cold) {
    try {
      cold = startVaultAdmin();
    } catch (error) {
      // Configuration errors keep their message (settings and ARNs) and setting; nothing else leaves.
      throw toSafeError(error);
    }
  }
  return cold(event);
}

/** Reads the configuration and builds the vault (the cold start); throws what refuses it. */
function startVaultAdmin(): (event: unknown) => Promise<VaultAdminResponse> {
  const config = readVaultAdminConfig(process.env);
  const clients = createAwsClients({ region: config.dataRegion, endpoints: config.endpoints });
  return createVaultAdminHandler(
    createVault({
      clients,
      region: config.dataRegion,
      keyArn: config.keyArn,
      tableName: config.vaultTable,
      auditTableName: config.auditTable,
      erasureSink: outboxErasureSink(clients.kinesis, config.outboxStream),
      authorize: policyFromEnv(process.env),
    }),
  );
}
