import { z } from 'zod';

/** The audited, authorized operations of the vault. */
export type AdminAction = 'detokenize' | 'export' | 'erase' | 'reindex';

/** Who asks and why. Both are written to the audit log. */
export const AccessRequestSchema = z.object({
  /** The principal (an IAM ARN, an operator name). */
  actor: z.string().trim().min(1).max(256),
  /** Why (a ticket id, "DSAR-2026-014"). Required: the audit log must say why. */
  purpose: z.string().trim().min(1).max(500),
});

/** See {@link AccessRequestSchema}. */
export type AccessRequest = z.infer<typeof AccessRequestSchema>;

/** Decides whether `actor` may perform `action`. Denials are audited by the vault. */
export type AuthorizePolicy = (actor: string, action: AdminAction) => boolean | Promise<boolean>;

/** The default policy: nobody may detokenize, export, erase or re-index. */
export const denyAll: AuthorizePolicy = () => false;

/**
 * An allowlist policy: one list for every action, or a list per action (actions not listed are
 * denied). `*` is not a wildcard: every principal is named.
 *
 * @example createAllowlistPolicy(['arn:aws:iam::123456789012:role/dpo'])
 * @example createAllowlistPolicy({ detokenize: ['alice'], erase: ['dpo'] })
 */
export function createAllowlistPolicy(
  principals: readonly string[] | Partial<Record<AdminAction, readonly string[]>>,
): AuthorizePolicy {
  if (Array.isArray(principals)) {
    const allowed = new Set(principals as readonly string[]);
    return (actor) => allowed.has(actor);
  }
  const byAction = new Map(
    Object.entries(principals as Partial<Record<AdminAction, readonly string[]>>).map(([action, list]) => [
      action,
      new Set(list),
    ]),
  );
  return (actor, action) => byAction.get(action)?.has(actor) ?? false;
}

/** Name of the environment variable listing the admin principals, comma-separated. */
export const PRINCIPALS_ENV = 'DETOKENIZE_PRINCIPALS';

/**
 * The allowlist from `DETOKENIZE_PRINCIPALS` (comma-separated; blanks ignored). Unset or empty
 * means {@link denyAll}: fail closed.
 *
 * @example policyFromEnv(process.env)
 */
export function policyFromEnv(env: Readonly<Record<string, string | undefined>>): AuthorizePolicy {
  const list = (env[PRINCIPALS_ENV] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  return list.length === 0 ? denyAll : createAllowlistPolicy(list);
}
