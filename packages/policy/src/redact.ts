/**
 * Redaction of what a quoted value may hide: a URL's userinfo (`user:password@`), query and
 * fragment. Findings, reports and error messages quote template values; those parts hold
 * passwords, tokens and presigned-URL signatures, so they are replaced by `***`.
 */

/**
 * A URL for redaction: a scheme and `//` (also JSON-escaped, `:\/\/`), then everything up to
 * whitespace, a quote or an angle bracket. Wider than what destination detection reads, so that a
 * password holding `,` or `;` is still covered up to its `@`.
 */
const URL_FOR_REDACTION = /[a-z][a-z0-9+.-]*:(?:\\?\/){2}[^\s"'<>`]*/gi;

/** `user:password@` without a scheme (`svc:hunter2@broker.example.com`), not inside a word. */
const BARE_USERINFO = /(?<![\w.+%-])[^\s"'<>@/:,;=]+:(?!\\?\/)[^\s"'<>@]*@/g;

/**
 * One URL with userinfo, query and fragment replaced by `***`. The userinfo is taken to run to the
 * last `@` before the query, even when a `/` comes first (a password with a raw slash), so a
 * secret is never shown; a path holding `@` is then hidden too.
 *
 * @example redactUrl('https://user:secret@host/path?token=abc#top') // 'https://***@host/path?***#***'
 */
export function redactUrl(url: string): string {
  const start = url.indexOf('/') + 1;
  const slashes = url.slice(start).match(/^\\?\//)?.[0] ?? '';
  const head = url.slice(0, start + slashes.length);
  const rest = url.slice(head.length);
  // `#{...}` is a placeholder for what the template leaves unresolved (see `render`), not a fragment.
  const cut = rest.search(/\?|#(?!\{)/);
  const beforeQuery = cut === -1 ? rest : rest.slice(0, cut);
  const after = cut === -1 ? '' : rest.slice(cut);
  const at = beforeQuery.lastIndexOf('@');
  const location = at === -1 ? beforeQuery : `***@${beforeQuery.slice(at + 1)}`;
  const query = after.startsWith('?') ? '?***' : '';
  const fragment = /#(?!\{)/.test(after) ? '#***' : '';
  return `${head}${location}${query}${fragment}`;
}

/**
 * Every URL in a text redacted (`redactUrl`); the rest stays as it is. Applied to every message
 * the check prints.
 *
 * @example redactUrls('CONTROL_PLANE_ORIGIN (https://u:p@host) is not a bare origin') // 'CONTROL_PLANE_ORIGIN (https://***@host) is not a bare origin'
 */
export function redactUrls(text: string): string {
  return text.replace(URL_FOR_REDACTION, (match) => {
    // Punctuation that ends a sentence or closes a parenthesis is the message's, not the URL's.
    const trailing = /[).,;:!\]]*$/.exec(match)?.[0] ?? '';
    return `${redactUrl(match.slice(0, match.length - trailing.length))}${trailing}`;
  });
}

/**
 * A whole value for a message: URLs redacted, and `user:password@` without a scheme too, since a
 * value quoted whole (an endpoint, an origin that is not a URL) may be either.
 *
 * @example quoteValue('svc:hunter2@broker.example.com:9092') // '***@broker.example.com:9092'
 */
export function quoteValue(text: string): string {
  return redactUrls(text).replace(BARE_USERINFO, '***@');
}
