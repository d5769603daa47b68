import { createHash } from 'node:crypto';

/** A value that must not appear anywhere, and other forms of it (normalized, folded). */
export interface SecretValue {
  value: string;
  /** Other spellings of the same value that must not appear either (E.164 phone, folded email). Default: none. */
  forms?: readonly string[];
  /** Name in findings, e.g. `phone of event 12`. Default: the value itself. */
  label?: string;
}

/** Something to search: a log, a table's items, a stream's records, a file. */
export interface Haystack {
  /** Where it came from, e.g. `table residency-vault` or `file dynamodb/000005.ldb`. */
  name: string;
  content: string | Uint8Array;
}

/** How a secret was found. `clear` is the value itself; the rest are encodings and unkeyed hashes of it. */
export type LeakEncoding =
  | 'clear'
  | 'base64'
  | `${'sha256' | 'sha1' | 'md5'}-${'hex' | 'HEX' | 'base64' | 'base64url' | 'raw'}`;

/** One secret found in one haystack. */
export interface Leak {
  label: string;
  /** The form that matched (the value or one of its `forms`). */
  form: string;
  encoding: LeakEncoding;
  haystack: string;
}

/** Options of {@link scanForLeaks}. */
export interface ScanForLeaksOptions {
  values: ReadonlyArray<string | SecretValue>;
  haystacks: readonly Haystack[];
  /** Forms shorter than this are skipped (they match by chance). Default: 6. */
  minLength?: number;
}

interface Needle {
  text: string;
  label: string;
  form: string;
  encoding: LeakEncoding;
}

const PREFIX = 6;
const HASHES = ['sha256', 'sha1', 'md5'] as const;

/**
 * Looks for secrets in everything a run wrote: each value and each of its forms in clear (as
 * given and lower-cased), base64-encoded, and as an unkeyed SHA-256, SHA-1 or MD5 digest (hex in
 * either case, base64, base64url, and the raw 16-32 bytes in binary content). An unkeyed hash of
 * a phone number is as good as the number (10^10 guesses); only keyed ones (HMAC) are allowed.
 * Text and binary content are searched as bytes, so a value inside a LevelDB file, a DynamoDB
 * binary attribute or a log line is found alike.
 *
 * @example
 * const leaks = scanForLeaks({ values: [{ value: '01711234567', forms: ['+8801711234567'] }], haystacks });
 * expect(leaks).toEqual([]);
 */
export function scanForLeaks(options: ScanForLeaksOptions): Leak[] {
  const minLength = Math.max(PREFIX, options.minLength ?? PREFIX);
  const index = new Map<string, Needle[]>();
  for (const entry of options.values) {
    const secret = typeof entry === 'string' ? { value: entry } : entry;
    const label = secret.label ?? secret.value;
    const forms = new Set([secret.value, ...(secret.forms ?? [])].filter((f) => f.length >= minLength));
    for (const form of forms) {
      for (const needle of needlesOf(form, label)) {
        const head = needle.text.slice(0, PREFIX);
        const list = index.get(head);
        if (list) list.push(needle);
        else index.set(head, [needle]);
      }
    }
  }
  const leaks = new Map<string, Leak>();
  for (const haystack of options.haystacks) {
    const text = Buffer.from(haystack.content).toString('latin1');
    for (let i = 0; i + PREFIX <= text.length; i++) {
      const candidates = index.get(text.slice(i, i + PREFIX));
      if (!candidates) continue;
      for (const needle of candidates) {
        if (!text.startsWith(needle.text, i)) continue;
        const key = `${needle.label}\n${needle.form}\n${needle.encoding}\n${haystack.name}`;
        if (!leaks.has(key))
          leaks.set(key, {
            label: needle.label,
            form: needle.form,
            encoding: needle.encoding,
            haystack: haystack.name,
          });
      }
    }
  }
  return [...leaks.values()];
}

/** The byte strings (as latin1 text) a form may hide behind. */
function needlesOf(form: string, label: string): Needle[] {
  const latin1 = (bytes: Buffer) => bytes.toString('latin1');
  const utf8 = Buffer.from(form, 'utf8');
  const needles: Needle[] = [];
  const seen = new Set<string>();
  const add = (text: string, encoding: LeakEncoding) => {
    if (text.length < PREFIX || seen.has(text)) return;
    seen.add(text);
    needles.push({ text, label, form, encoding });
  };
  add(latin1(utf8), 'clear');
  if (form.toLowerCase() !== form) add(latin1(Buffer.from(form.toLowerCase(), 'utf8')), 'clear');
  add(utf8.toString('base64'), 'base64');
  for (const algorithm of HASHES) {
    const digest = createHash(algorithm).update(utf8).digest();
    const hex = digest.toString('hex');
    add(hex, `${algorithm}-hex`);
    add(hex.toUpperCase(), `${algorithm}-HEX`);
    add(digest.toString('base64'), `${algorithm}-base64`);
    // Unpadded base64url equals the start of base64 unless the digest has '+' or '/': one finding then.
    const url = digest.toString('base64url');
    if (!digest.toString('base64').startsWith(url)) add(url, `${algorithm}-base64url`);
    add(latin1(digest), `${algorithm}-raw`);
  }
  return needles;
}

/**
 * Turns any JSON-like value (DynamoDB items in either form, stream records, log objects) into
 * haystacks: one with every string, number and key as text, plus one per binary value (a
 * `Uint8Array` anywhere, e.g. a DynamoDB `B` attribute), so digests stored as bytes are found too.
 *
 * @example haystacksOf('table residency-vault', items)
 */
export function haystacksOf(name: string, value: unknown): Haystack[] {
  const texts: string[] = [];
  const binaries: Haystack[] = [];
  const seen = new Set<object>();
  const walk = (v: unknown, path: string) => {
    if (typeof v === 'string') texts.push(v);
    else if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') texts.push(String(v));
    else if (v instanceof Uint8Array) binaries.push({ name: `${name} ${path}`, content: v });
    else if (v && typeof v === 'object') {
      if (seen.has(v)) return;
      seen.add(v);
      if (v instanceof Map) for (const [k, item] of v) walk(item, `${path}.${String(k)}`);
      else if (v instanceof Set || Array.isArray(v)) {
        let i = 0;
        for (const item of v) walk(item, `${path}[${i++}]`);
      } else {
        for (const [k, item] of Object.entries(v)) {
          texts.push(k);
          walk(item, `${path}.${k}`);
        }
      }
    }
  };
  walk(value, '$');
  return [{ name, content: texts.join('\n') }, ...binaries];
}
