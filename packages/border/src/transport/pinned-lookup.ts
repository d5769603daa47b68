import type { LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { EgressRefusedError } from '../errors.ts';
import { isLoopbackAddress } from './origin-policy.ts';

/**
 * Resolves a host name the way `dns.lookup` does (`net.LookupFunction`: the `lookup` option of
 * `http.request`). Injectable so tests can play a DNS server that answers differently each time.
 */
export type HostLookup = LookupFunction;

/** What {@link resolveLoopbackOnly} found: the checked addresses, or a resolution failure (a value). */
export type LoopbackResolution = { ok: true; addresses: LookupAddress[] } | { ok: false; reason: string };

/**
 * Resolves `hostname` once and checks every address it resolves to. Literal addresses are taken
 * as they are. Precondition of every plain-http request (local mode): the destination is on
 * loopback. A name with any address off loopback (a hosts-file entry, a rebinding DNS answer) is
 * refused, whatever its other addresses.
 *
 * @throws EgressRefusedError when an address is not loopback.
 */
export async function resolveLoopbackOnly(lookup: HostLookup, hostname: string): Promise<LoopbackResolution> {
  const host = hostname.replace(/^\[|\]$/g, '');
  const family = isIP(host);
  const addresses: LookupAddress[] =
    family === 4 || family === 6
      ? [{ address: host, family }]
      : await new Promise<LookupAddress[]>((resolve, reject) => {
          lookup(host, { all: true }, (error, found) => {
            if (error) reject(error);
            else resolve(Array.isArray(found) ? found : [{ address: found, family: isIP(found) }]);
          });
        }).catch((error: NodeJS.ErrnoException) => {
          if (error instanceof EgressRefusedError) throw error;
          return [] as LookupAddress[];
        });
  if (addresses.length === 0) return { ok: false, reason: `dns: ${host} did not resolve` };
  if (!addresses.every((entry) => isLoopbackAddress(entry.address))) {
    throw new EgressRefusedError(`${host} does not resolve to loopback only`, host);
  }
  return { ok: true, addresses };
}

/**
 * A `lookup` for `http.request` that never resolves again: it answers with the addresses that
 * {@link resolveLoopbackOnly} checked, so the socket connects to exactly what was checked (a DNS
 * answer that changes between the check and the connect, DNS rebinding, cannot redirect it).
 * Postcondition, checked again at connect time: every address handed to the socket is loopback.
 */
export function pinnedLookup(checked: readonly LookupAddress[]): LookupFunction {
  return (hostname, options, callback) => {
    const wanted = options.family === 4 || options.family === 6 ? options.family : undefined;
    const list = checked.filter((entry) => wanted === undefined || entry.family === wanted);
    if (list.length === 0 || !list.every((entry) => isLoopbackAddress(entry.address))) {
      return callback(new EgressRefusedError(`${hostname} is not pinned to loopback`, hostname), '', 0);
    }
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
    const first = list[0]!;
    return callback(null, first.address, first.family);
  };
}
