/**
 * Network destinations hidden anywhere in a string, such as a Lambda environment value: a URL inside
 * JSON, a `host:port` in a comma-separated broker list. A value is rendered text (see `render`), so
 * unresolved parts are `#{...}` placeholders.
 */
import { arnsIn } from './arn.ts';

/** A destination found in a value, described without userinfo, path or query (they may hold secrets). */
export interface Destination {
  /** `url` for `scheme://...`, `host` for a bare `host:port`. */
  readonly kind: 'url' | 'host';
  /** `scheme://host[:port]` or `host:port`, safe to print. */
  readonly where: string;
  /** Whether the host contains a part the template does not resolve (`#{...}`). */
  readonly unresolved: boolean;
}

/** Any `scheme://`, also with JSON-escaped slashes (`https:\/\/`), up to a delimiter. */
const URL_PATTERN = /[a-z][a-z0-9+.-]*:(?:\\?\/){2}[^\s"'<>\\,;|`]*/gi;

/** One DNS label or one `#{...}` placeholder (placeholders contain no colon). */
const LABEL = String.raw`(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?|#\{[^}:\s]*\})`;

/**
 * `host:port` with a dotted host (a DNS name, an IPv4 address, a name with placeholders), a bracketed
 * IPv6 address or a host the template does not resolve (`#{Broker}:9092`), not inside a longer word or number. A single label (`ap-south-1:1234`
 * in an ARN, `12:30` in a time) is no DNS name Lambda could resolve, so it is not a host here.
 */
const HOST_PORT = new RegExp(
  String.raw`(?<![\w.#}-])(\[[0-9a-f:.]+\]|${LABEL}(?:\.${LABEL})+|#\{[^}:\s]*\}):(\d{1,5})(?![\w:.-])`,
  'gi',
);

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

function urlDestination(url: string): Destination {
  const text = url.replaceAll('\\/', '/');
  const scheme = text.slice(0, text.indexOf(':')).toLowerCase();
  const authority = text.slice(scheme.length + 3).split(/[/?#]/)[0] ?? '';
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  return { kind: 'url', where: `${scheme}://${hostPort}`, unresolved: hostPort.includes('#{') };
}

/**
 * Every destination in a string: each URL (any scheme, anywhere in the text), and each `host:port`
 * outside URLs and ARNs whose host is not loopback and not a service endpoint of the data region.
 *
 * @example destinationsIn('{"sink":"https://user:pw@collector.example.com/in"}', 'ap-south-1')[0]?.where // 'https://collector.example.com'
 */
export function destinationsIn(text: string, dataRegion: string): readonly Destination[] {
  const urls = [...text.matchAll(URL_PATTERN)].map((match) => match[0]);
  let rest = text;
  for (const part of [...urls, ...arnsIn(text).map((arn) => arn.text)]) rest = rest.replace(part, ' ');
  const hosts = [...rest.matchAll(HOST_PORT)].flatMap((match): Destination[] => {
    const host = match[1] ?? '';
    const port = Number(match[2]);
    if (port < 1 || port > 65535 || !isHostName(host) || isLoopback(host)) return [];
    if (isDataRegionServiceEndpoint(host, dataRegion)) return [];
    return [{ kind: 'host', where: `${host}:${match[2]}`, unresolved: host.includes('#{') }];
  });
  return [...urls.map(urlDestination), ...hosts];
}
