import { randomBytes } from 'node:crypto';
import { ConfigurationError } from '@residency/aws';
import { MIN_CANARY_SECRET_BYTES } from './codes.ts';
import { type CanaryIdentity, canaryIdentity } from './identity.ts';

/** Tenant id canary events carry unless told otherwise, so dashboards can leave them out. */
export const DEFAULT_CANARY_TENANT_ID = 'residency-canary';

/**
 * Canary seeding. Set exactly one of `everyNEvents` and `ratePerMillion`.
 * @typeParam E - the event type of the producer's catalog
 */
export interface CanaryOptions<E> {
  /**
   * At least 32 bytes, kept in region (SSM SecureString or Secrets Manager in the data region).
   * It protects no personal data; it only lets its holder recognise canaries. Required.
   */
  secret: Uint8Array;
  /** Seed one canary after every N events sent. Default: unset. */
  everyNEvents?: number;
  /** Seed a canary with this probability per event sent, in millionths. Default: unset. */
  ratePerMillion?: number;
  /** Tenant id of canary events. Default: `residency-canary`. */
  tenantId?: string;
  /**
   * Builds the canary event from a synthetic identity. Default: a ClinicBook `patient.registered`;
   * required for any other catalog. Checked once at startup: an invalid event is a
   * `ConfigurationError` then. Give the function a return type (`ProducerEvent<typeof catalog>`)
   * so literal fields type-check.
   */
  build?: (identity: CanaryIdentity, tenantId: string) => E;
}

/** Decides when to seed a canary and builds it. */
export interface CanaryInjector<E> {
  /** Called once per caller event; returns a canary event to send alongside it when one is due. */
  afterEvent(): E | undefined;
  /** A canary event to check the builder with at startup (not counted, not sent). */
  sample(): E;
}

/** Creates a {@link CanaryInjector}; the identity counter starts at a random point per process. */
export function createCanaryInjector<E>(
  options: CanaryOptions<E>,
  fallbackBuild: ((identity: CanaryIdentity, tenantId: string) => E) | undefined,
): CanaryInjector<E> {
  if (options.secret.byteLength < MIN_CANARY_SECRET_BYTES) {
    throw new ConfigurationError(
      `canaries.secret must be at least ${MIN_CANARY_SECRET_BYTES} bytes`,
      'canaries.secret',
    );
  }
  const { everyNEvents: every, ratePerMillion: rate } = options;
  if ((every === undefined) === (rate === undefined)) {
    throw new ConfigurationError(
      'set exactly one of canaries.everyNEvents and canaries.ratePerMillion',
      'canaries',
    );
  }
  if (every !== undefined && !(Number.isInteger(every) && every >= 1)) {
    throw new ConfigurationError('canaries.everyNEvents must be a positive integer', 'canaries.everyNEvents');
  }
  if (rate !== undefined && !(rate > 0 && rate <= 1_000_000)) {
    throw new ConfigurationError(
      'canaries.ratePerMillion must be in (0, 1000000]',
      'canaries.ratePerMillion',
    );
  }
  const build = options.build ?? fallbackBuild;
  if (!build) throw new ConfigurationError('canaries.build is required for this catalog', 'canaries.build');
  const tenantId = options.tenantId ?? DEFAULT_CANARY_TENANT_ID;
  let counter = randomBytes(6).readUIntBE(0, 6);
  let events = 0;
  return {
    afterEvent() {
      events++;
      const due = every !== undefined ? events % every === 0 : Math.random() * 1_000_000 < (rate ?? 0);
      if (!due) return undefined;
      return build(canaryIdentity(options.secret, BigInt(counter++)), tenantId);
    },
    sample: () => build(canaryIdentity(options.secret, BigInt(counter)), tenantId),
  };
}
