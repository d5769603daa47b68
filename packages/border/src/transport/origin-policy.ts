import { isIP } from 'node:net';
import { redactUrl } from '@residency/aws';
import { BorderConfigurationError, EgressRefusedError } from '../errors.ts';

/** True for a literal loopback address (127.0.0.0/8, ::1) or `localhost`: the only hosts plain http may reach. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** True for a resolved address on loopback (what `localhost` must resolve to in local mode). */
export function isLoopbackAddress(address: string): boolean {
  return (
    address === '::1' || (isIP(address) === 4 && address.startsWith('127.')) || address === '::ffff:127.0.0.1'
  );
}

/**
 * Validates and normalizes one allowlisted origin (`scheme://host[:port]`, nothing else).
 * Precondition: https anywhere; plain http only in local mode and only to loopback; no user name
 * or password (refused, and never echoed: messages show the origin with them redacted); no path,
 * query or fragment (never echoed either); a port from 1 to 65535.
 *
 * @example allowedOrigin('https://cp.example.com', false) // 'https://cp.example.com'
 */
export function allowedOrigin(origin: string, localMode: boolean): string {
  const setting = 'CONTROL_PLANE_ORIGIN';
  let url: URL;
  try {
    url = new URL(origin);
  } catch (cause) {
    throw new BorderConfigurationError('control-plane origin is not a URL', setting, { cause });
  }
  const shown = redactUrl(url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new BorderConfigurationError(`control-plane origin ${shown} must use https`, setting);
  }
  if (url.username || url.password) {
    throw new BorderConfigurationError(
      `control-plane origin ${shown} carries credentials; remove them from the URL`,
      setting,
    );
  }
  if (url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    // The origin only: a path can be a capability (`/hooks/<secret>`), like a query.
    throw new BorderConfigurationError(
      `control-plane origin ${url.origin} (with a path, query or fragment) must be scheme://host[:port] only`,
      setting,
    );
  }
  if (url.port === '0') {
    // Port 0 is no destination: the connect fails on every attempt, and the records pile up.
    throw new BorderConfigurationError(`control-plane origin ${shown} names port 0`, setting);
  }
  if (url.protocol === 'https:') return url.origin;
  if (localMode && isLoopbackHost(url.hostname)) return url.origin;
  throw new BorderConfigurationError(
    `control-plane origin ${shown} uses plain http: allowed only to loopback in local mode`,
    setting,
  );
}

/**
 * Precondition for every request, checked before a socket exists: the destination's exact origin
 * (scheme, host, port) is on the allowlist, and it carries no credentials.
 *
 * @throws EgressRefusedError otherwise.
 */
export function checkDestination(destination: string, allowlist: ReadonlySet<string>): URL {
  let url: URL;
  try {
    url = new URL(destination);
  } catch {
    throw new EgressRefusedError('destination is not a URL', '(invalid)');
  }
  if (url.username || url.password) {
    throw new EgressRefusedError('destination carries credentials', url.origin);
  }
  if (!allowlist.has(url.origin)) {
    throw new EgressRefusedError(`destination origin ${url.origin} is not allowlisted`, url.origin);
  }
  return url;
}
