import { KmsApiError } from './errors.ts';

/** Default page size of ListKeys and ListAliases, as in AWS. */
export const DEFAULT_PAGE_LIMIT = 100;

/**
 * One page of a list in AWS's marker style: `Truncated` and, when there is more, `NextMarker`.
 * The marker is the opaque base64 of the next index; anything else is InvalidMarkerException.
 */
export function paginate<T>(items: readonly T[], limit = DEFAULT_PAGE_LIMIT, marker?: string) {
  let start = 0;
  if (marker !== undefined) {
    start = Number(Buffer.from(marker, 'base64').toString('utf8'));
    if (!Number.isInteger(start) || start < 0 || start > items.length) {
      throw new KmsApiError('InvalidMarkerException', 'The marker is not valid');
    }
  }
  const page = items.slice(start, start + limit);
  const next = start + page.length;
  const truncated = next < items.length;
  return {
    page,
    Truncated: truncated,
    ...(truncated ? { NextMarker: Buffer.from(String(next), 'utf8').toString('base64') } : {}),
  };
}
