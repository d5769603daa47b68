const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/;

/**
 * A zod issue path as a JSON path that cannot carry data: plain keys by name, indexes as `[n]`,
 * anything else (a key that could be an email address) as `[key]`.
 *
 * @example safeJsonPath(['record', 'attributes', 'a@b.com']) // '$.record.attributes[key]'
 */
export function safeJsonPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '$';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && PLAIN_KEY.test(segment)) out += `.${segment}`;
    else out += '[key]';
  }
  return out;
}
