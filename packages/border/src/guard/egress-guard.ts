import {
  type CompiledCatalog,
  clinicbook,
  type OutboxMessage,
  OutboxMessageSchema,
  type PiiFinding,
  scanRecord,
} from '@residency/core';
import { safeJsonPath } from './safe-path.ts';
import { OUTBOX_SCAN_EXEMPT_PATHS } from './scan-exemptions.ts';

/** The guard's decision on one outbox message: pass, or block with the reason (never the value). */
export type GuardVerdict =
  | { ok: true; message: OutboxMessage }
  | { ok: false; reason: 'schema'; paths: string[]; kind?: string }
  | { ok: false; reason: 'pii'; rules: string[]; paths: string[]; kind: string };

/** A PII scanner: the core's `scanRecord` or a stand-in with the same contract. */
export type PiiScanner = (value: unknown, options: { exemptPaths?: readonly string[] }) => PiiFinding[];

/** Options of {@link createEgressGuard}. */
export interface EgressGuardOptions {
  /** Catalogs whose per-type strict outbound schemas records must also pass. Default: `[clinicbook]`. */
  catalogs?: readonly CompiledCatalog[];
  /** The PII scanner. Default: the core's `scanRecord`. */
  scan?: PiiScanner;
  /** Paths whose numbers the scan skips. Default: {@link OUTBOX_SCAN_EXEMPT_PATHS}. */
  exemptPaths?: readonly string[];
}

/** The egress guard: strict schema, then PII scan, on everything that would cross. */
export interface EgressGuard {
  /** Checks raw outbox bytes (JSON). */
  checkBytes(data: Uint8Array | string): GuardVerdict;
  /** Checks an already parsed value (what the control plane re-checks). */
  checkValue(value: unknown): GuardVerdict;
}

/**
 * Creates the egress guard used on both sides of the border: the forwarder blocks what fails it
 * into the quarantine, the control plane rejects batches that carry anything that fails it.
 *
 * @example
 * const guard = createEgressGuard();
 * const verdict = guard.checkBytes(Buffer.from(record.kinesis.data, 'base64'));
 * if (!verdict.ok) quarantine(verdict.reason);
 */
export function createEgressGuard(options: EgressGuardOptions = {}): EgressGuard {
  const catalogs = new Map((options.catalogs ?? [clinicbook]).map((catalog) => [catalog.name, catalog]));
  const scan = options.scan ?? scanRecord;
  const exemptPaths = options.exemptPaths ?? OUTBOX_SCAN_EXEMPT_PATHS;

  const checkValue = (value: unknown): GuardVerdict => {
    const parsed = OutboxMessageSchema.safeParse(value);
    const kind =
      typeof (value as { kind?: unknown })?.kind === 'string' ? (value as { kind: string }).kind : undefined;
    const safeKind = kind && /^[a-z]{1,16}$/.test(kind) ? kind : undefined;
    if (!parsed.success) {
      const paths = boundedPaths(parsed.error.issues.map((issue) => safeJsonPath(issue.path)));
      // Schema failures are scanned too, so the quarantine says whether personal data was involved.
      const findings = scan(value, { exemptPaths });
      if (findings.length > 0) return piiVerdict(findings, safeKind ?? 'unknown');
      return { ok: false, reason: 'schema', paths, ...(safeKind ? { kind: safeKind } : {}) };
    }
    const message = parsed.data;
    if (message.kind === 'record') {
      const event = catalogs
        .get(message.record.catalog)
        ?.get(message.record.type, message.record.schemaVersion);
      const strict = event?.outboundSchema.safeParse(message.record);
      if (!strict?.success) {
        const paths = strict
          ? boundedPaths(strict.error.issues.map((issue) => safeJsonPath(['record', ...issue.path])))
          : ['$.record.type'];
        const findings = scan(value, { exemptPaths });
        if (findings.length > 0) return piiVerdict(findings, 'record');
        return { ok: false, reason: 'schema', paths, kind: 'record' };
      }
    }
    const findings = scan(message, { exemptPaths });
    if (findings.length > 0) return piiVerdict(findings, message.kind);
    return { ok: true, message };
  };

  return {
    checkValue,
    checkBytes(data) {
      let value: unknown;
      try {
        value = JSON.parse(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
      } catch {
        return { ok: false, reason: 'schema', paths: ['$'] };
      }
      return checkValue(value);
    },
  };
}

/** Most paths a verdict names: the control plane's answer carries at most this many per item. */
export const MAX_VERDICT_PATHS = 64;
/** Longest path a verdict names, in characters: a longer one is cut, ending in `…`. */
export const MAX_VERDICT_PATH_LENGTH = 256;

// The distinct paths, at most MAX_VERDICT_PATHS of them, each at most MAX_VERDICT_PATH_LENGTH long.
// A malformed message can fail on any number of paths (an array of 20,000 bad numbers): listing
// them all made a quarantine entry over DynamoDB's 400 KB item limit, and the forwarder failed
// that record's batch on every delivery.
function boundedPaths(paths: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const path of paths) {
    if (out.size === MAX_VERDICT_PATHS) break;
    out.add(path.length > MAX_VERDICT_PATH_LENGTH ? `${path.slice(0, MAX_VERDICT_PATH_LENGTH - 1)}…` : path);
  }
  return [...out];
}

function piiVerdict(findings: readonly PiiFinding[], kind: string): GuardVerdict {
  return {
    ok: false,
    reason: 'pii',
    rules: [...new Set(findings.map((finding) => finding.rule))],
    paths: boundedPaths(findings.map((finding) => finding.path)),
    kind,
  };
}
