import { isIP } from 'node:net';

// One rule wherever the origin is read: `residency check` on a template's forwarder, the stacks at
// deploy time (stacks/lib/config.ts, which load no workspace package and import this file by path),
// and the forwarder at cold start (`@residency/policy/origin`). No import outside node.

/** The verdict on a configured control-plane origin: the origin, or why it is refused. */
export type ControlPlaneOriginVerdict =
  | { readonly ok: true; readonly origin: string }
  | { readonly ok: false; readonly problem: string };

/** True for a literal loopback address (127.0.0.0/8, ::1) or `localhost`: the only hosts plain http may reach. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** What an origin looks like, for messages. */
const SHAPE = 'https://host[:port]';
/** Scheme and authority as written, up to the first character that ends an authority. */
const AUTHORITY = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#\\]*/;
/** A DNS name: letters, digits and hyphens in labels of 1 to 63, no empty label (no trailing dot). */
const DNS_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Addresses that reach this host without looking like loopback: unspecified, broadcast, IPv4-mapped IPv6. */
const DISGUISED_LOCAL = /^(?:0\.0\.0\.0|255\.255\.255\.255|\[::\]|\[::ffff:[0-9a-f.:]+\])$/;

/** Link-local addresses: 169.254.0.0/16, fe80::/10, and the EC2 metadata service's IPv6 address. */
const LINK_LOCAL = /^(?:169\.254\.\d{1,3}\.\d{1,3}|\[fe[89ab][0-9a-f]?:[0-9a-f:.]*\]|\[fd00:ec2::254\])$/;

/** AWS domains whose host names carry the region of the endpoint as one label. */
const AWS_DOMAIN = /\.(?:amazonaws\.com|amazonaws\.com\.cn|on\.aws|api\.aws)$/;
const REGION_LABEL = /^[a-z]{2}(?:-gov|-iso|-isob)?-[a-z]+-\d$/;

/**
 * The region an AWS host name names (`<id>.lambda-url.eu-central-1.on.aws`,
 * `<id>.execute-api.eu-central-1.amazonaws.com`), if any.
 *
 * @example awsRegionOfHost('abc.lambda-url.eu-central-1.on.aws') // 'eu-central-1'
 */
export function awsRegionOfHost(hostname: string): string | undefined {
  if (!AWS_DOMAIN.test(hostname)) return undefined;
  for (const label of hostname.split('.')) {
    // `s3-ap-south-1`, `s3-website-ap-south-1`: S3's older dashed names.
    const region = label.replace(/^s3(?:-website)?-(?=[a-z]{2}-)/, '');
    if (REGION_LABEL.test(region)) return region;
  }
  return undefined;
}

/**
 * The one rule for the forwarder's allowlisted origin, wherever it is read (the forwarder's
 * environment and transport, the stacks at deploy time): `scheme://host[:port]`, written exactly
 * as `new URL` keeps it, so that what the reader sees is what the forwarder reaches.
 *
 * Refused, each with what to write instead: no URL (not quoted: it may hold a password); a scheme
 * other than http(s) (not shown: `admin:secret@host` reads `admin` as one); a user name or password (quoted as `***`); a path, query or fragment (not
 * quoted: a path can be a capability); a wildcard host; anything `new URL` would rewrite (an
 * upper-case scheme or host, the default port, an international name, a numeric or octal IPv4
 * spelling; quoted as written, with the origin it names); a host that is no DNS name or IP
 * address; an unspecified, broadcast or IPv4-mapped address (it reaches this host); port 0; plain http, except to a loopback literal in local mode; an AWS endpoint of the
 * data region (a function URL there, say), when `dataRegion` is given: the control plane must run
 * in another region. One trailing `/` is allowed.
 *
 * @example checkControlPlaneOrigin('HTTPS://cp.example.com', { localMode: false })
 * // { ok: false, problem: '"HTTPS://cp.example.com" is not written as the origin it names: write "https://cp.example.com" ...' }
 */
export function checkControlPlaneOrigin(
  input: string,
  options: { readonly localMode: boolean; readonly dataRegion?: string; readonly deployed?: boolean },
): ControlPlaneOriginVerdict {
  const refuse = (problem: string): ControlPlaneOriginVerdict => ({ ok: false, problem });
  if (input === '') return refuse(`is empty; write ${SHAPE}`);
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return refuse(`is not a URL (value not shown); write ${SHAPE}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    // `admin:secret@host` parses with scheme `admin:`, a user name: nothing of it is shown.
    return refuse(`is not an http(s) URL (not shown); write ${SHAPE}`);
  }
  const authority = AUTHORITY.exec(input)?.[0];
  if (!url.username && !url.password && input.includes('@')) {
    // `https://user:12/secret@host` parses as host `user`, port 12 and a path: an '@' anywhere may
    // be a credential, so nothing of the value is shown.
    return refuse(`holds an '@' (a user name, a password or a path with one; not shown); write ${SHAPE}`);
  }
  if (url.username || url.password) {
    const scheme = authority?.slice(0, authority.indexOf('//') + 2) ?? `${url.protocol}//`;
    const hostPart = authority?.slice(authority.lastIndexOf('@') + 1) ?? url.host;
    return refuse(
      `${JSON.stringify(`${scheme}***@${hostPart}`)} carries credentials; write ${JSON.stringify(url.origin)}`,
    );
  }
  if (url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    const shown =
      authority !== undefined && !authority.includes('@') ? JSON.stringify(authority) : 'the origin';
    return refuse(
      `${shown} is followed by a path, query or fragment (not shown); write ${JSON.stringify(url.origin)}, the origin only`,
    );
  }
  // The scheme and authority as written, never what follows: `/x/..` folds away in the parser, so a
  // path can reach this point, and a path can be a capability.
  const rest = authority === undefined ? input : input.slice(authority.length);
  const quoted = `${JSON.stringify(authority ?? `${url.protocol}//${url.host}`)}${rest === '' || rest === '/' ? '' : ' (with what follows, not shown)'}`;
  if (url.hostname.includes('*')) {
    return refuse(
      `${quoted} has a wildcard host; the allowlist names exactly one host: write the control plane's own, ${SHAPE}`,
    );
  }
  if (input.replace(/\/$/, '') !== url.origin) {
    return refuse(
      `${quoted} is not written as the origin it names: write ${JSON.stringify(url.origin)} ` +
        '(scheme and host in lower case, no default port, an international name as its punycode, an IP address in dotted decimal)',
    );
  }
  if (!DNS_NAME.test(url.hostname) && isIP(url.hostname) !== 4 && !/^\[[0-9a-f:.]+\]$/.test(url.hostname)) {
    return refuse(`${quoted} has a host that is neither a DNS name nor an IP address; write ${SHAPE}`);
  }
  if (DISGUISED_LOCAL.test(url.hostname)) {
    // 0.0.0.0, [::] and [::ffff:127.0.0.1] reach this host as 127.0.0.1 does (in Lambda, the runtime
    // API and extensions), without saying so.
    return refuse(
      `${quoted} names an unspecified, broadcast or IPv4-mapped address, which reaches this host; write the control plane's own ${SHAPE}`,
    );
  }
  if (LINK_LOCAL.test(url.hostname)) {
    // 169.254.169.254 and 169.254.170.2 serve instance and container credentials.
    return refuse(
      `${quoted} names a link-local address (where instance metadata and credentials are served); write ${SHAPE}`,
    );
  }
  if (options.deployed && (isLoopbackHost(url.hostname) || url.hostname.endsWith('.localhost'))) {
    return refuse(
      `${quoted} names this host, which a deployed stage cannot send to; write the control plane's own ${SHAPE}`,
    );
  }
  if (url.port === '0') {
    // Port 0 is no destination: the connect fails on every attempt, and the records pile up.
    return refuse(`${quoted} names port 0; write ${SHAPE} with the control plane's port, or none for 443`);
  }
  if (options.dataRegion !== undefined && awsRegionOfHost(url.hostname) === options.dataRegion) {
    return refuse(
      `${quoted} is an AWS endpoint in the data region ${options.dataRegion}; the control plane must run in another region`,
    );
  }
  if (url.protocol === 'https:' || (options.localMode && isLoopbackHost(url.hostname))) {
    return { ok: true, origin: url.origin };
  }
  return refuse(
    `${quoted} uses plain http, allowed only to loopback in local mode; write ${JSON.stringify(`https://${url.host}`)}`,
  );
}
