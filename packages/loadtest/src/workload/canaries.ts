import { randomUUID } from 'node:crypto';
import { LoadtestError } from '../errors.ts';

/** Options of {@link withCanaries}. */
export interface CanaryMixOptions {
  /** Share of the output that is canaries, 0..0.5. */
  share: number;
  /** The canary secret (at least 32 bytes); the same secret makes the same canaries. */
  secret: Uint8Array;
  /** Event time of every canary, epoch millis. */
  occurredAtMillis: number;
}

/**
 * Mixes the producer's canary events (`patient.registered` for synthetic identities whose
 * identifiers carry a keyed tag) evenly into a workload: every ⌈1/share⌉-th event is a canary.
 * They travel the same path as real registrations; a canary seen past the border is a leak.
 *
 * @example const { events } = await withCanaries(generated, { share: 0.001, secret, occurredAtMillis: Date.now() });
 */
export async function withCanaries(
  events: readonly object[],
  options: CanaryMixOptions,
): Promise<{ events: object[]; canaries: number }> {
  if (options.share <= 0) return { events: [...events], canaries: 0 };
  // Loaded only when asked for: the producer's canary factory is the one place canaries are made.
  const { canaryIdentity, clinicbookCanary, DEFAULT_CANARY_TENANT_ID } = await import(
    '@residency/producer'
  ).catch((cause: unknown) => {
    throw new LoadtestError('--canaries needs @residency/producer, which did not load', '--canaries', {
      cause,
    });
  });
  const every = Math.max(2, Math.round(1 / Math.min(0.5, options.share)));
  const out: object[] = [];
  let counter = 0n;
  const occurredAt = new Date(options.occurredAtMillis).toISOString();
  events.forEach((event, i) => {
    if (i % every === every - 1) {
      counter += 1n;
      out.push({
        ...clinicbookCanary(canaryIdentity(options.secret, counter), DEFAULT_CANARY_TENANT_ID),
        eventId: randomUUID(),
        schemaVersion: 1,
        occurredAt,
      });
    }
    out.push(event);
  });
  return { events: out, canaries: Number(counter) };
}
