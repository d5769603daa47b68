import type { BadInput } from './bad-input.ts';
import { core } from './deps.ts';

const REASONS = new Set(['not_base64_json', 'not_an_object', 'unknown_type', 'invalid']);
const SAFE_PATH = /^[A-Za-z0-9_.?]*$/;
const SAFE_CODE = /^[a-z0-9_]{1,64}$/;

/** Where each input ended, as the checks need it. */
export interface Outcomes {
  /** Per input (same order): the quarantine entry's reason and issues, if quarantined. */
  quarantined: ReadonlyArray<
    { reason: string; issues: ReadonlyArray<{ path: string; code: string }> } | undefined
  >;
  /** Forwarded records by the event id their record id derives from (copies must be identical). */
  forwarded: ReadonlyMap<string, core.OutboundRecord>;
  /** Record ids on the outbox that no input of this run accounts for (must be none). */
  unattributed: readonly string[];
}

/**
 * Forwarded records keyed by event id (`eventOf`: record id → event id, from the port the ingest
 * ran with), and the record ids no event accounts for.
 */
export function forwardedByEventId(
  records: readonly core.OutboundRecord[],
  eventOf: ReadonlyMap<string, string>,
): Pick<Outcomes, 'forwarded' | 'unattributed'> {
  const forwarded = new Map<string, core.OutboundRecord>();
  const unattributed: string[] = [];
  for (const record of records) {
    const eventId = eventOf.get(record.recordId);
    if (eventId === undefined) unattributed.push(record.recordId);
    else forwarded.set(eventId, record);
  }
  return { forwarded, unattributed };
}

/**
 * Every rule bad input must follow, as a list of violations (empty when all hold): each input is
 * quarantined with a known reason and value-free issues, or forwarded as a strict outbound record,
 * never both, never neither; expectations of the corpus hold; events carrying planted personal
 * data in public fields are quarantined for it (and would be blocked by the border's PII scan);
 * spellings of one patient id share one token.
 */
export function violations(inputs: readonly BadInput[], outcomes: Outcomes): string[] {
  const problems: string[] = [];
  const tokens = new Map<string, Set<string>>();
  inputs.forEach((input, i) => {
    const where = `#${i} ${input.label}`;
    const quarantined = outcomes.quarantined[i];
    const record = input.eventId ? outcomes.forwarded.get(input.eventId) : undefined;
    if (quarantined && record) problems.push(`${where}: both quarantined and forwarded`);
    if (!quarantined && !record) problems.push(`${where}: neither quarantined nor forwarded`);
    const { expect } = input;
    if (expect.outcome === 'forward' && !record)
      problems.push(`${where}: expected forwarded, was ${quarantined?.reason}`);
    if (expect.outcome === 'quarantine') {
      if (!quarantined) problems.push(`${where}: expected quarantined, was forwarded`);
      else if (expect.reason && quarantined.reason !== expect.reason)
        problems.push(`${where}: reason ${quarantined.reason}, expected ${expect.reason}`);
    }
    if (quarantined) {
      if (!REASONS.has(quarantined.reason)) problems.push(`${where}: unknown reason ${quarantined.reason}`);
      for (const issue of quarantined.issues) {
        if (!SAFE_PATH.test(issue.path) || !SAFE_CODE.test(issue.code))
          problems.push(`${where}: an issue may carry a value: ${JSON.stringify(issue)}`);
      }
    }
    if (record) {
      const schema = core.clinicbook.get(record.type, record.schemaVersion)?.outboundSchema;
      if (!schema?.safeParse(record).success) problems.push(`${where}: forwarded record is not strict`);
      const findings = core.scanRecord({ kind: 'record', record });
      if (input.pii) problems.push(`${where}: personal data in a public field was forwarded`);
      if (input.pii && findings.length === 0) problems.push(`${where}: personal data passes the border scan`);
      if (input.samePatientAs) {
        const set = tokens.get(input.samePatientAs) ?? new Set<string>();
        set.add(record.subject ?? '');
        tokens.set(input.samePatientAs, set);
      }
    }
  });
  for (const [patient, set] of tokens) {
    if (set.size !== 1) problems.push(`spellings of ${patient} got ${set.size} different tokens`);
  }
  for (const id of outcomes.unattributed) problems.push(`record ${id} on the outbox comes from no input`);
  if ((Object.prototype as Record<string, unknown>).polluted !== undefined)
    problems.push('Object.prototype was polluted');
  return problems;
}
