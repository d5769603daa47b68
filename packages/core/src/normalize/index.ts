import { normalizeEmail } from './email.ts';
import { normalizeNationalId } from './national-id.ts';
import { normalizeOpaque, tenantScoped } from './opaque.ts';
import { normalizePhone } from './phone.ts';
import type { Normalized } from './result.ts';

export {
  type CachedNormalizer,
  type CachedNormalizerOptions,
  createCachedNormalizer,
  DEFAULT_NORMALIZE_CACHE_ENTRIES,
  type IdentifierNormalizer,
} from './cache.ts';
export { type NormalizeContext, normalizeIdentifier } from './identifier.ts';
export type { Normalized };
export { normalizeEmail, normalizeNationalId, normalizeOpaque, normalizePhone, tenantScoped };
