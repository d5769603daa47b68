/**
 * Network destinations hidden anywhere in a string, such as a Lambda environment value: a URL inside
 * JSON, a `host:port` in a comma-separated broker list, a bare host name (`kafka.example.com`). A value is rendered text (see `render`), so
 * unresolved parts are `#{...}` placeholders.
 */
import { arnsIn } from './arn.ts';
import { isBareHostName } from './host-names.ts';

/** A destination found in a value, described without userinfo, path or query (they may hold secrets). */
export interface Destination {
  /** `url` for `scheme://...`, `host` for a `host:port` or a bare host name. */
  readonly kind: 'url' | 'host';
  /** `scheme://host[:port]`, `host:port` or `host`, safe to print. */
  readonly where: string;
  /** Whether the host contains a part the template does not resolve (`#{...}`, pseudo parameters aside). */
  readonly unresolved: boolean;
}

/** Whether a host has a placeholder other than a pseudo parameter (`#{AWS.URLSuffix}` is known). */
function isUnresolved(host: string): boolean {
  return [...host.matchAll(/#\{([^}]*)\}/g)].some(([, inner = '']) => !inner.startsWith('AWS.'));
}

/** Any `scheme://`, also with JSON-escaped slashes (`https:\/\/`), up to a delimiter. */
const URL_PATTERN = /[a-z][a-z0-9+.-]*:(?:\\?\/){2}[^\s"'<>\\,;|`]*/gi;

/** One DNS label or one `#{...}` placeholder (placeholders contain no colon). */
const LABEL = String.raw`(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?|#\{[^}:\s]*\})`;

/**
 * `host:port` with a dotted host (a DNS name, an IPv4 address, a name with placeholders), a bracketed
 * IPv6 address or a host the template does not resolve (`#{Broker}:9092`), not inside a longer word or
 * number and not followed by `@` (then it is `user:password@`, not an address).
 */
const HOST_PORT = new RegExp(
  String.raw`(?<![\w.#}-])(\[[0-9a-f:.]+\]|${LABEL}(?:\.${LABEL})+|#\{[^}:\s]*\}):(\d{1,5})(?![\w:.@-])`,
  'gi',
);

/**
 * `host:port` with a single-label host, as container and service-discovery names are written
 * (`kafka:9092`, `redis:6379`). The label starts with a letter, so `12:30` and `ratio=1:2` are not
 * hosts; the port has at least two digits and is 80 or above, since `node:22`, `postgres:16` and
 * `retries:3` are versions and counts far more often than services on ports below 80. It may not
 * follow `/` or `:` (a path, an ARN field) or precede `@` (then it is `user:password@`).
 */
const SINGLE_LABEL_HOST_PORT = /(?<![\w.#}/:-])([a-z][a-z0-9-]{0,62}):(\d{2,5})(?![\w:.@-])/gi;

/** The lowest port a single-label `host:port` may have to count as one (see SINGLE_LABEL_HOST_PORT). */
const MIN_SINGLE_LABEL_PORT = 80;

/**
 * A dotted name without scheme or port (`kafka.example.com`), not inside a longer word, path, e-mail
 * address or wildcard (`*.example.com`); whether it is a host is decided by its last label (`isBareHostName`).
 */
const BARE_HOST = new RegExp(String.raw`(?<![\w.#}/@*-])${LABEL}(?:\.${LABEL})+(?![\w@-]|\.[\w#])`, 'gi');

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;

function isLoopback(host: string): boolean {
  const name = host.toLowerCase();
  return (
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    name === '[::1]' ||
    (IPV4.test(name) && name.startsWith('127.'))
  );
}

/**
 * Whether a host is a regional AWS service endpoint of the data region (`sqs.ap-south-1.amazonaws.com`,
 * `dynamodb.#{AWS.Region}.#{AWS.URLSuffix}`). Only `<service>.<region>.<suffix>`: longer names under
 * amazonaws.com (`ec2-...compute`, `...elb`, `...execute-api`, MSK brokers) are endpoints of someone's
 * resources, which may be another account's or lead anywhere.
 */
function isDataRegionServiceEndpoint(host: string, dataRegion: string): boolean {
  const match =
    /^[a-z0-9-]+\.([^.]+|#\{AWS\.Region\})\.(amazonaws\.com|amazonaws\.com\.cn|api\.aws|#\{AWS\.URLSuffix\})$/i.exec(
      host,
    );
  return match !== null && (match[1] === dataRegion || match[1] === '#{AWS.Region}');
}

/** Whether a dotted literal host names a machine: an IPv4 address or a name whose last label is alphabetic. */
function isHostName(host: string): boolean {
  if (host.startsWith('[') || host.includes('#{') || IPV4.test(host)) return true;
  return /\.[a-z][a-z0-9-]*$/i.test(host);
}

/**
 * `scheme://host[:port]` of a URL. The userinfo runs to the last `@` before the query (see
 * `redactUrl`); when a `/` comes before that `@` (a password with a raw slash, or a path), the host
 * is the part after it and the place shows `***@`, so no part of a secret is ever printed.
 */
function urlDestination(url: string): Destination {
  const text = url.replaceAll('\\/', '/');
  const scheme = text.slice(0, text.indexOf(':')).toLowerCase();
  const rest = text.slice(scheme.length + 3).split(/\?|#(?!\{)/)[0] ?? '';
  const at = rest.lastIndexOf('@');
  const hostPort = rest.slice(at + 1).split('/')[0] ?? '';
  const slashFirst = at !== -1 && rest.slice(0, at).includes('/');
  return {
    kind: 'url',
    where: `${scheme}://${slashFirst ? '***@' : ''}${hostPort}`,
    unresolved: isUnresolved(hostPort),
  };
}

/** Whether a host is one the function may call: loopback, or a service endpoint of the data region. */
function isInside(host: string, dataRegion: string): boolean {
  return isLoopback(host) || isDataRegionServiceEndpoint(host, dataRegion);
}

/**
 * Every destination in a string: each URL (any scheme, anywhere in the text); each `host:port`
 * outside URLs and ARNs, with a dotted, bracketed or unresolved host, or a single-label one
 * (`kafka:9092`, port 80 or above); and each bare host name (`collector.example.net`, see
 * `isBareHostName`). Loopback and service endpoints of the data region are not destinations.
 *
 * @example destinationsIn('{"sink":"https://user:pw@collector.example.com/in"}', 'ap-south-1')[0]?.where // 'https://collector.example.com'
 * @example destinationsIn('kafka:9092,collector.eu-west-1.example.net', 'ap-south-1').map((d) => d.where) // ['kafka:9092', 'collector.eu-west-1.example.net']
 */
export function destinationsIn(text: string, dataRegion: string): readonly Destination[] {
  const urls = [...text.matchAll(URL_PATTERN)].map((match) => match[0]);
  let rest = text;
  for (const part of [...urls, ...arnsIn(text).map((arn) => arn.text)]) rest = rest.replace(part, ' ');
  const found: { index: number; destination: Destination }[] = [];
  const take = (pattern: RegExp, accept: (match: RegExpMatchArray) => string | undefined): void => {
    for (const match of rest.matchAll(pattern)) {
      const where = accept(match);
      if (where !== undefined)
        found.push({
          index: match.index,
          destination: { kind: 'host', where, unresolved: isUnresolved(where) },
        });
    }
    // Whatever a pattern matched, reported or not (loopback, data-region endpoints), is not read again.
    rest = rest.replace(pattern, (match) => ' '.repeat(match.length));
  };
  take(HOST_PORT, (match) => {
    const host = match[1] ?? '';
    const port = Number(match[2]);
    if (port < 1 || port > 65535 || !isHostName(host) || isInside(host, dataRegion)) return undefined;
    return `${host}:${match[2]}`;
  });
  take(SINGLE_LABEL_HOST_PORT, (match) => {
    const host = match[1] ?? '';
    const port = Number(match[2]);
    if (port < MIN_SINGLE_LABEL_PORT || port > 65535 || isLoopback(host)) return undefined;
    return `${host}:${match[2]}`;
  });
  take(BARE_HOST, (match) =>
    isBareHostName(match[0]) && !isInside(match[0], dataRegion) ? match[0] : undefined,
  );
  const hosts = found.sort((a, b) => a.index - b.index).map((entry) => entry.destination);
  return [...urls.map(urlDestination), ...hosts];
}
