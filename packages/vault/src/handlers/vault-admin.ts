import { createAwsClients, verifyLiveResidency } from '@residency/aws';
import { TenantIdSchema, TokenSchema } from '@residency/core';
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
import { DEFAULT_INPUT_COUNTRY, normalizedInput } from '../identifier-input.ts';
import { outboxErasureSink } from '../outbox-erasure-sink.ts';
import { toSafeError } from '../safe-error.ts';
import { KIND_PATTERN, MAX_VALUE_LENGTH } from '../tokenize.ts';
import type { Vault } from '../vault.ts';
import { createColdStart } from './cold-start.ts';
import {
  readVaultAdminConfig,
  type VaultAdminConfig,
  vaultAdminLiveResources,
} from './vault-admin-config.ts';

const IdentifierSchema = z.strictObject({
  kind: z.string().regex(KIND_PATTERN),
  value: z.string().min(1).max(MAX_VALUE_LENGTH),
  /** Where a local phone number is read (ISO 3166, two letters). Default: BD, as the ingest's. */
  country: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .optional(),
  /** The tenant of an application's own id (patient, appointment), which the ingest keys per tenant. */
  tenant: TenantIdSchema.optional(),
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
  z.strictObject({ ...AccessShape, action: z.literal('lookup'), identifier: IdentifierSchema }),
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

type Identifier = { kind: string; value: string };
type Located =
  | { ok: true; subject?: { identifier: Identifier }; identifier?: Identifier }
  | { ok: false; refusal: VaultAdminResponse };

// The request's identifier normalized by its kind (see normalizedInput), or the refusal to answer.
function normalizedRequest(event: VaultAdminEvent): Located {
  const refuse = (path: string): Located => ({
    ok: false,
    refusal: { ok: false, error: 'invalid_request', issues: [{ path, code: 'not_normalizable' }] },
  });
  const normalize = (id: z.infer<typeof IdentifierSchema>) => {
    const result = normalizedInput(id.kind, id.value, id.country ?? DEFAULT_INPUT_COUNTRY, id.tenant);
    return result.ok ? { kind: id.kind, value: result.value } : undefined;
  };
  if (event.action === 'lookup') {
    const identifier = normalize(event.identifier);
    return identifier ? { ok: true, identifier } : refuse('identifier.value');
  }
  if ((event.action === 'erase' || event.action === 'export') && 'identifier' in event.subject) {
    const identifier = normalize(event.subject.identifier);
    return identifier ? { ok: true, subject: { identifier } } : refuse('subject.identifier.value');
  }
  return { ok: true };
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
    // The identifier as the ingest tokenized it: typed as a person writes it, it would not be found.
    const located = normalizedRequest(parsed.data);
    if (!located.ok) return located.refusal;
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
            ...(await vault.eraseSubject(located.subject ?? parsed.data.subject, { actor, purpose })),
          };
        case 'export':
          return {
            ok: true,
            action: 'export',
            ...(await vault.exportSubject(located.subject ?? parsed.data.subject, { actor, purpose })),
          };
        case 'lookup':
          return {
            ok: true,
            action: 'lookup',
            ...(await vault.lookupKeyedToken(located.identifier ?? parsed.data.identifier, {
              actor,
              purpose,
            })),
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

/** A vault-admin handler built from the environment, and how to release its clients. */
export interface VaultAdminFromEnv {
  handle: (event: unknown) => Promise<VaultAdminResponse>;
  config: VaultAdminConfig;
  close(): void;
}

/**
 * Builds the admin handler from the environment (the Lambda entry point's cold start). In this
 * order: the static checks of {@link readVaultAdminConfig}; clients pinned to the data region, their
 * endpoint overrides checked (`createAwsClients`; the SDK's own endpoint settings are ignored); the
 * live residency check (`verifyLiveResidency` of `@residency/aws` over
 * {@link vaultAdminLiveResources}, as the ingest, the window closer and the forwarder run it): the vault and audit tables, the
 * outbox stream and the KMS key report ARNs in the data region, all in one account, the key is not
 * multi-Region, and each of them given by ARN (`KEY_ARN`, and a table or stream setting given as an
 * ARN) reports exactly that ARN; then the vault. Throws `ConfigurationError`,
 * `RegionMismatchError` or `VaultConfigurationError` for a configuration that cannot run, or the
 * SDK's error when a resource cannot be described (not found, access denied, throttled), with the
 * clients closed: the function does no work. The erasure sink is the outbox, through the same
 * Kinesis client.
 *
 * @example const { handle } = await createVaultAdminFromEnv(process.env);
 */
export async function createVaultAdminFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): Promise<VaultAdminFromEnv> {
  const config = readVaultAdminConfig(env);
  const clients = createAwsClients({ region: config.dataRegion, endpoints: config.endpoints });
  try {
    await verifyLiveResidency(vaultAdminLiveResources(config), clients);
    const vault = createVault({
      clients,
      region: config.dataRegion,
      keyArn: config.keyArn,
      tableName: config.vaultTable,
      auditTableName: config.auditTable,
      erasureSink: outboxErasureSink(clients.kinesis, config.outboxStream),
      authorize: policyFromEnv(env),
    });
    return {
      handle: createVaultAdminHandler(vault),
      config,
      close: () => {
        vault.close();
        clients.destroy();
      },
    };
  } catch (error) {
    clients.destroy();
    throw error;
  }
}

/** What a cold start that failed for any other reason says in place of the SDK's message. */
const COLD_START_FAILED_MESSAGE =
  'vault-admin cold start failed: the live residency check of VAULT_TABLE, AUDIT_TABLE, OUTBOX_STREAM_NAME and KEY_ARN did not complete; refusing to run, the next invocation tries again';

/**
 * The cold start, once per execution environment, at the first invocation: a configuration failure
 * is remembered, any other is retried by the next invocation ({@link createColdStart}).
 */
const coldStart = createColdStart(() => createVaultAdminFromEnv(process.env));

/**
 * The Lambda entry point. Its first invocation in an environment is the cold start
 * ({@link createVaultAdminFromEnv}: static checks, then the live residency check, then the vault);
 * warm invocations reuse it. (It does not start at import, as the pipeline's functions do: this
 * module is also the package's library entry for `createVaultAdminHandler`.) An erasure puts its
 * notice on the outbox before deleting anything; if the put fails the invocation fails
 * (`ErasureNoticeDeliveryError`) with nothing erased, and can be repeated. Whatever it throws, at
 * cold start or later, is a {@link toSafeError} copy: no fields, tokens, cause or request input
 * for the runtime to log. A configuration refusal keeps its message (settings, regions and ARNs)
 * and setting; any other cold-start failure keeps its name, AWS code and HTTP status, with a
 * fixed message that says which check did not complete.
 */
export async function handler(event: unknown): Promise<VaultAdminResponse> {
  let admin: VaultAdminFromEnv;
  try {
    admin = await coldStart();
  } catch (error) {
    throw toSafeError(error, { withheldMessage: COLD_START_FAILED_MESSAGE });
  }
  return admin.handle(event);
}
