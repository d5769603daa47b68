import {
  type AwsClients,
  ConfigurationError,
  createAwsClients,
  RegionMismatchError,
  readEndpointsFile,
} from '@residency/aws';
import {
  AmbiguousSubjectError,
  AuditWriteError,
  createVault,
  createVaultFromEndpointsFile,
  ErasureNoticeDeliveryError,
  InvalidAccessRequestError,
  InvalidTokenRequestError,
  KIND_PATTERN,
  normalizedInput,
  outboxErasureSink,
  policyFromEnv,
  type SubjectRef,
  UnauthorizedError,
  type Vault,
  VaultConfigurationError,
} from '@residency/vault';
import type { Command } from 'commander';
import { CliError } from '../errors.ts';

/** Options every `residency vault` subcommand takes. */
interface TargetOptions {
  dataDir: string;
  region?: string;
  table?: string;
  auditTable?: string;
  keyArn?: string;
  outboxStream?: string;
  actor: string;
  purpose: string;
  indexVersion: string;
  previousIndexVersions?: string;
}

interface SubjectOptions extends TargetOptions {
  identifier?: string;
  token?: string;
  country: string;
  tenant?: string;
}

/**
 * Exit codes of `residency vault` (also in packages/vault/README.md): 0 done, 1 not found (or an
 * unexpected failure, printed by name only), 2 bad usage or configuration (an actor, purpose,
 * kind or token the vault refuses too), 3 not authorized, 4 ambiguous subject, 5 audit log not
 * written (nothing revealed or changed), 6 erasure notice not delivered (nothing erased).
 */
export const VAULT_EXIT_CODES = {
  notFound: 1,
  usage: 2,
  unauthorized: 3,
  ambiguous: 4,
  auditWrite: 5,
  noticeNotDelivered: 6,
} as const;

function withTarget(command: Command): Command {
  return withLocation(command)
    .requiredOption(
      '--actor <principal>',
      'who is asking: a principal name (checked against DETOKENIZE_PRINCIPALS, audited)',
    )
    .requiredOption(
      '--purpose <text>',
      'why (audited): a ticket id or short reason, letters, digits, space and -_/.:# (no personal data)',
    );
}

/** Where the vault is: the local stack or AWS. */
function withLocation(command: Command): Command {
  return command
    .option('--data-dir <dir>', 'local stack directory holding endpoints.json', '.residency')
    .option(
      '--region <region>',
      'AWS: the data region (with --table, --audit-table, --key-arn; no endpoint override)',
    )
    .option('--table <name>', 'AWS: the vault table')
    .option('--audit-table <name>', 'AWS: the audit table')
    .option('--key-arn <arn>', 'AWS: the KMS key ARN (must be in --region)')
    .option('--outbox-stream <name>', 'AWS: the outbox stream erasure notices go out on (required by erase)')
    .option('--index-version <v>', 'index key version in use', 'v1')
    .option('--previous-index-versions <list>', 'comma-separated older index versions still looked up');
}

function withSubject(command: Command): Command {
  return withTarget(command)
    .option('--identifier <kind:value>', 'the subject by an identifier, e.g. phone:+919876543210')
    .option('--token <token>', 'the subject by a token, e.g. pat_...')
    .option('--country <cc>', 'country for reading local phone formats', 'IN')
    .option(
      '--tenant <id>',
      "the tenant of an application's own id (patient, appointment): the ingest keys those per tenant",
    );
}

async function openVault(options: TargetOptions): Promise<{ vault: Vault; clients: AwsClients }> {
  const tuning = {
    indexKeyVersion: options.indexVersion,
    previousIndexKeyVersions: (options.previousIndexVersions ?? '').split(',').filter(Boolean),
    authorize: policyFromEnv(process.env),
  };
  if (options.region) {
    const { table, auditTable, keyArn, region } = options;
    if (!table || !auditTable || !keyArn) {
      throw new CliError('--region needs --table, --audit-table and --key-arn', 2);
    }
    const clients = createAwsClients({ region });
    return {
      clients,
      vault: createVault({
        clients,
        region,
        keyArn,
        tableName: table,
        auditTableName: auditTable,
        ...(options.outboxStream
          ? { erasureSink: outboxErasureSink(clients.kinesis, options.outboxStream) }
          : {}),
        ...tuning,
      }),
    };
  }
  const file = await readEndpointsFile(options.dataDir);
  if (!file.tables.vault || !file.tables.audit)
    throw new CliError(`${options.dataDir}/endpoints.json names no vault or audit table`, 2);
  const clients = createAwsClients({
    region: file.region,
    endpoints: {
      dynamodb: file.endpoints.dynamodb,
      kms: file.endpoints.kms,
      kinesis: file.endpoints.kinesis,
    },
  });
  const outbox = file.streams.outbox;
  return {
    clients,
    vault: createVaultFromEndpointsFile(file, clients, {
      ...(outbox ? { erasureSink: outboxErasureSink(clients.kinesis, outbox) } : {}),
      ...tuning,
    }),
  };
}

function subjectOf(options: SubjectOptions): SubjectRef {
  if (Boolean(options.identifier) === Boolean(options.token)) {
    throw new CliError('name the subject with exactly one of --identifier KIND:VALUE or --token TOKEN', 2);
  }
  if (options.token) return { token: options.token };
  const raw = options.identifier as string;
  const colon = raw.indexOf(':');
  if (colon <= 0) throw new CliError('--identifier is KIND:VALUE, e.g. phone:+919876543210', 2);
  const kind = raw.slice(0, colon);
  // Never echo the kind: `01711234567:phone` (value and kind swapped) would print the number.
  if (!KIND_PATTERN.test(kind)) {
    throw new CliError(
      '--identifier is KIND:VALUE and what comes before the first ":" is not a kind (phone, email, nationalId, patient, ...)',
      2,
    );
  }
  const country = options.country.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(country)) throw new CliError('--country is a two-letter country code, e.g. IN', 2);
  const normalized = normalizedInput(kind, raw.slice(colon + 1), country, options.tenant);
  // The reason never contains the value.
  if (!normalized.ok) throw new CliError(`--identifier: ${normalized.reason}`, 2);
  return { identifier: { kind, value: normalized.value } };
}

/** Runs a vault operation, printing its JSON result and turning known refusals into one-line errors. */
async function run(options: TargetOptions, act: (vault: Vault) => Promise<object>): Promise<void> {
  let opened: { vault: Vault; clients: AwsClients } | undefined;
  try {
    opened = await openVault(options);
    const result = await act(opened.vault);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if ('outcome' in result && result.outcome === 'not_found') process.exitCode = VAULT_EXIT_CODES.notFound;
  } catch (error) {
    throw cliErrorOf(error);
  } finally {
    opened?.vault.close();
    opened?.clients.destroy();
  }
}

/**
 * The one-line error for a vault failure the operator can act on (see {@link VAULT_EXIT_CODES});
 * anything else is returned as is, for bin.ts to print by name. Messages are the vault's own,
 * which never quote the actor, purpose, kind, value or token given.
 */
function cliErrorOf(error: unknown): unknown {
  const codes = VAULT_EXIT_CODES;
  if (error instanceof UnauthorizedError) {
    return new CliError(`${error.message} (the allowlist is DETOKENIZE_PRINCIPALS)`, codes.unauthorized);
  }
  if (error instanceof AmbiguousSubjectError) {
    // Tokens are pseudonyms, and the operator needs them to choose.
    return new CliError(`${error.message}: ${error.subjectTokens.join(', ')}`, codes.ambiguous);
  }
  if (error instanceof AuditWriteError) {
    return new CliError(`${error.message}; nothing was revealed or changed`, codes.auditWrite);
  }
  if (error instanceof ErasureNoticeDeliveryError) {
    return new CliError(
      `${error.message} (the outbox stream did not take the notice; check --outbox-stream or the local stack)`,
      codes.noticeNotDelivered,
    );
  }
  if (
    error instanceof InvalidAccessRequestError ||
    error instanceof InvalidTokenRequestError ||
    error instanceof ConfigurationError ||
    error instanceof RegionMismatchError ||
    error instanceof VaultConfigurationError
  ) {
    return new CliError(error.message, codes.usage);
  }
  return error;
}

/**
 * `residency vault erase|export|detokenize|reindex|keyed-token`: the vault's admin operations, in region,
 * against the local stack (`--data-dir`, default `.residency`) or AWS (`--region --table
 * --audit-table --key-arn`). Every call names an actor (allowed by DETOKENIZE_PRINCIPALS) and a
 * purpose, and is written to the audit log before anything is revealed or changed.
 * `residency vault record-ids` maps event ids to their record ids: it reveals nothing the caller
 * did not give, so it needs neither.
 */
export function register(program: Command): void {
  const vault = program
    .command('vault')
    .description(
      'in-region vault administration: erase, export, detokenize, reindex, keyed-token (authorized and audited), record-ids',
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 done; 1 not found, or an unexpected failure; 2 bad usage or configuration;\n3 not authorized; 4 ambiguous subject; 5 audit log not written; 6 erasure notice not delivered.',
    );

  withSubject(vault.command('erase'))
    .description(
      'erase a data subject; puts the erasure notice (tokens only) on the outbox for the control plane and prints it',
    )
    .action(async (options: SubjectOptions) => {
      // Against AWS the notice must go somewhere: printed only, the control plane never hears of it.
      // (Locally, the outbox is the one endpoints.json names.)
      if (options.region && !options.outboxStream) {
        throw new CliError(
          'erase against AWS (--region) needs --outbox-stream: without it the control plane never gets the erasure notice',
          VAULT_EXIT_CODES.usage,
        );
      }
      const subject = subjectOf(options);
      await run(options, (v) => v.eraseSubject(subject, options));
    });

  withSubject(vault.command('export'))
    .description('print what the vault holds for a subject as JSON (personal data: handle accordingly)')
    .action(async (options: SubjectOptions) => {
      const subject = subjectOf(options);
      await run(options, (v) => v.exportSubject(subject, options));
    });

  withTarget(vault.command('detokenize'))
    .description('print the identifiers behind tokens as JSON (personal data: handle accordingly)')
    .argument('<tokens...>', 'vault tokens, e.g. pat_...')
    .action(async (tokens: string[], options: TargetOptions) => {
      await run(options, (v) => v.detokenize(tokens, options));
    });

  withTarget(vault.command('keyed-token'))
    .description(
      'print the keyed token of an identifier of a keyed kind (an appointment id), to find its rows in the analytics (authorized and audited)',
    )
    .requiredOption('--identifier <kind:value>', 'the identifier, e.g. appointment:A-00098765')
    .option('--country <cc>', 'country for reading local phone formats', 'IN')
    .option(
      '--tenant <id>',
      "the tenant of an application's own id (patient, appointment): the ingest keys those per tenant",
    )
    .action(async (options: SubjectOptions) => {
      const ref = subjectOf(options);
      if (!('identifier' in ref)) throw new CliError('--identifier is KIND:VALUE', VAULT_EXIT_CODES.usage);
      await run(options, (v) => v.lookupKeyedToken(ref.identifier, options));
    });

  withLocation(vault.command('record-ids'))
    .description(
      'print the control-plane record id of each event id as JSON: the id the pipeline derives in region (reveals no personal data; not audited)',
    )
    .argument('<eventIds...>', 'event ids, as the app sent them')
    .action(async (eventIds: string[], options: TargetOptions) => {
      await run(options, async (v) => {
        const recordIds = await v.recordIds(eventIds);
        return { recordIds: Object.fromEntries(eventIds.map((id, i) => [id, recordIds[i]])) };
      });
    });

  withTarget(vault.command('reindex'))
    .description('move every entry to another index key version, keeping tokens')
    .requiredOption('--from <version>', 'the version entries are moved from, e.g. v1')
    .requiredOption('--to <version>', 'the version they are moved to, e.g. v2')
    .action(async (options: TargetOptions & { from: string; to: string }) => {
      await run(options, (v) => v.reindex({ fromVersion: options.from, toVersion: options.to }, options));
    });
}
