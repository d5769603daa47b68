import { isIP } from 'node:net';
import { checkControlPlaneOrigin } from '@residency/policy/origin';
import { BorderConfigurationError, EgressRefusedError } from '../errors.ts';

export { isLoopbackHost } from '@residency/policy/origin';

/** True for a resolved address on loopback (what `localhost` must resolve to in local mode). */
export function isLoopbackAddress(address: string): boolean {
  return (
    address === '::1' || (isIP(address) === 4 && address.startsWith('127.')) || address === '::ffff:127.0.0.1'
  );
}

/**
 * Validates one allowlisted origin (`scheme://host[:port]`, nothing else) by the rule of
 * `checkControlPlaneOrigin`, and returns it as `new URL` keeps it.
 * Precondition: https anywhere; plain http only in local mode and only to loopback; no user name
 * or password (refused, and never echoed), no path, query or fragment (never echoed either), no
 * wildcard host, no spelling `new URL` would rewrite (the message quotes what was written and says
 * what to write), a port from 1 to 65535.
 *
 * @example allowedOrigin('https://cp.example.com', false) // 'https://cp.example.com'
 */
export function allowedOrigin(origin: string, localMode: boolean): string {
  const verdict = checkControlPlaneOrigin(origin, { localMode });
  if (!verdict.ok) {
    throw new BorderConfigurationError(`control-plane origin ${verdict.problem}`, 'CONTROL_PLANE_ORIGIN');
  }
  return verdict.origin;
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
