import { z } from 'zod';
import { KmsConfigurationError } from './errors.ts';
import { isAwsRegion } from './region.ts';

// No request is authenticated (see region.ts), so whoever reaches the port can decrypt: the
// server listens on loopback only.
const LOOPBACK = /^(?:127(?:\.\d{1,3}){3}|::1|localhost)$/;

/** The serializable options of {@link createKmsServer}, validated at start. */
export const KmsServerOptionsSchema = z.object({
  /** The region this endpoint impersonates; requests signed for another are refused. */
  region: z.string().refine(isAwsRegion, 'must be an AWS region name such as ap-south-1'),
  /** The 12-digit account in key ARNs. Default '000000000000'. */
  accountId: z
    .string()
    .regex(/^\d{12}$/, 'must be 12 digits')
    .default('000000000000'),
  /** Directory for persistent state; keys live in dataDir/kms. Required. */
  dataDir: z.string().min(1),
  /** TCP port; 0 picks a free one at run time. Default 0. */
  port: z.number().int().min(0).max(65535).default(0),
  /** Loopback address to listen on. Default '127.0.0.1'. */
  host: z
    .string()
    .regex(LOOPBACK, 'must be a loopback address (127.0.0.0/8, ::1, localhost)')
    .default('127.0.0.1'),
});

/** Options of {@link createKmsServer}. */
export interface KmsServerOptions extends z.input<typeof KmsServerOptionsSchema> {
  /** Clock for creation dates and rotation schedules. Default `() => new Date()`. */
  clock?: () => Date;
  /**
   * Called with unexpected errors (answered as KMSInternalException). Such errors never carry
   * key material or plaintexts. Default: ignore.
   */
  onInternalError?: (error: unknown) => void;
}

/** Parsed options with defaults applied. */
export type ResolvedKmsServerOptions = z.output<typeof KmsServerOptionsSchema> &
  Required<Pick<KmsServerOptions, 'clock' | 'onInternalError'>>;

/** Validates options; throws {@link KmsConfigurationError} naming the bad setting. */
export function resolveOptions(options: KmsServerOptions): ResolvedKmsServerOptions {
  const parsed = KmsServerOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const setting = issue?.path.join('.') ?? '';
    throw new KmsConfigurationError(`kms-local option '${setting}' ${issue?.message}`, setting);
  }
  return {
    ...parsed.data,
    clock: options.clock ?? (() => new Date()),
    onInternalError: options.onInternalError ?? (() => undefined),
  };
}
