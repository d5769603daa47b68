import {
  assertArnInRegion,
  assertAwsRegion,
  assertRegion,
  ConfigurationError,
  createAwsClients,
} from '@residency/aws';
import { z } from 'zod';
import { AccessRequestSchema, policyFromEnv } from '../access.ts';
import { createVault } from '../create-vault.ts';
import { AmbiguousSubjectError, UnauthorizedError } from '../errors.ts';
import { outboxErasureSink } from '../outbox-erasure-sink.ts';
import type { Vault } from '../vault.ts';

const SubjectRefSchema = z.union([
  z.strictObject({
    identifier: z.strictObject({ kind: z.string().min(1).max(64), value: z.string().min(1).max(1024) }),
  }),
  z.strictObject({ token: z.string().min(1).max(64) }),
]);

/** The event the admin function is invoked with (directly, never through a public endpoint). */
export const VaultAdminEventSchema = z.discriminatedUnion('action', [
  AccessRequestSchema.extend({
    action: z.literal('detokenize'),
    tokens: z.array(z.string()).min(1).max(1000),
  }).strict(),
  AccessRequestSchema.extend({ action: z.literal('erase'), subject: SubjectRefSchema }).strict(),
  AccessRequestSchema.extend({ action: z.literal('export'), subject: SubjectRefSchema }).strict(),
]);

/** See {@link VaultAdminEventSchema}. */
export type VaultAdminEvent = z.infer<typeof VaultAdminEventSchema>;

/** What the admin function answers: the operation's result, or a refusal it can explain. */
export type VaultAdminResponse =
  | ({ ok: true; action: VaultAdminEvent['action'] } & Record<string, unknown>)
  | { ok: false; error: 'invalid_request'; issues: Array<{ path: string; message: string }> }
  | { ok: false; error: 'unauthorized' }
  | { ok: false; error: 'ambiguous_subject'; subjectTokens: readonly string[] };

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
        issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
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
      if (error instanceof UnauthorizedError) return { ok: false, error: 'unauthorized' };
      if (error instanceof AmbiguousSubjectError) {
        return { ok: false, error: 'ambiguous_subject', subjectTokens: error.subjectTokens };
      }
      throw error;
    }
  };
}

let cold: ((event: unknown) => Promise<VaultAdminResponse>) | undefined;

/**
 * The Lambda entry point. At cold start it checks its configuration against the data region
 * (refusing to run otherwise) and builds the vault once; warm invocations reuse it. Every client,
 * the outbox's Kinesis client too, comes from `createAwsClients`: pinned to the data region, its
 * endpoint overrides checked, the SDK's own endpoint settings ignored. An erasure puts its notice
 * on the outbox before deleting anything; if the put fails the invocation fails
 * (`ErasureNoticeDeliveryError`) with nothing erased, and can be repeated.
 */
export async function handler(event: unknown): Promise<VaultAdminResponse> {
  if (!cold) {
    const config = readVaultAdminConfig(process.env);
    const clients = createAwsClients({ region: config.dataRegion, endpoints: config.endpoints });
    cold = createVaultAdminHandler(
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
  return cold(event);
}
