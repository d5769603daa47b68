import { needs } from '../needs.ts';

// Keys shown by name in a path. Anything else (spaces, '@', digits first, very long) is shown by
// position, so that a key holding personal data never reaches a quarantine entry or a log line.
const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/;

/**
 * The path segment for an object key: `.name` for a plain identifier that fired no rule,
 * otherwise `[key#<position>]` (position among the object's keys, from 0).
 *
 * @example keySegment('department', 0, false) // '.department'
 * @example keySegment('rahim@example.com', 3, true) // '[key#3]'
 */
export function keySegment(key: string, position: number, fired: boolean): string {
  return !fired && PLAIN_KEY.test(key) ? `.${key}` : `[key#${position}]`;
}

/** The path segment for an array index: `[3]`. */
export function indexSegment(index: number): string {
  return `[${index}]`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Compiles JSON path patterns into one matcher. Patterns use the scanner's own path syntax
 * (`$.window.startMillis`, `$.items[0].count`) with two wildcards: `[*]` for any array index and
 * `.*` for any plain key.
 *
 * @throws InvariantError when a pattern does not start with `$` (a configuration bug).
 * @example compilePathPatterns(['$.windows[*].startMillis'])('$.windows[2].startMillis') // true
 */
export function compilePathPatterns(patterns: readonly string[]): (path: string) => boolean {
  if (patterns.length === 0) return () => false;
  const alternatives = patterns.map((pattern) => {
    needs(pattern.startsWith('$'), 'Precondition: an exempt path is a JSON path starting with $');
    return escapeRegExp(pattern)
      .replaceAll('\\[\\*\\]', '\\[\\d+\\]')
      .replaceAll('\\.\\*', '\\.[A-Za-z_$][A-Za-z0-9_$]*');
  });
  const matcher = new RegExp(`^(?:${alternatives.join('|')})$`);
  return (path) => matcher.test(path);
}
