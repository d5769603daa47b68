import { randomBytes } from 'node:crypto';
import {
  formatToken,
  keyedTokenUnder,
  recordIdUnder,
  type Token,
  type TokenMap,
  type TokenPort,
  type TokenRequest,
  tokenKey,
} from '../model/tokens.ts';

/**
 * A {@link TokenPort} held in memory, for tests of code that tokenizes. Not a vault: nothing is
 * encrypted. Keyed requests get an HMAC under a key of this port, as the vault's do under its
 * token key.
 */
export interface InMemoryTokenPort extends TokenPort {
  /** Number of tokenize calls so far. */
  readonly calls: number;
  /** Links recorded: contact key → subject key. */
  readonly links: ReadonlyMap<string, string>;
}

/** Creates an {@link InMemoryTokenPort}. */
export function createInMemoryTokenPort(): InMemoryTokenPort {
  const tokens = new Map<string, Token>();
  const links = new Map<string, string>();
  const tokenKeyBytes = randomBytes(32);
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    links,
    async tokenize(requests: readonly TokenRequest[]): Promise<TokenMap> {
      calls += 1;
      const out = new Map<string, Token>();
      for (const request of requests) {
        const key = tokenKey(request.kind, request.value);
        let token = tokens.get(key);
        if (!token) {
          token = request.keyed
            ? keyedTokenUnder(tokenKeyBytes, request.kind, request.value)
            : formatToken(request.kind, randomBytes(16));
          tokens.set(key, token);
        }
        if (request.linkTo) links.set(key, tokenKey(request.linkTo.kind, request.linkTo.value));
        out.set(key, token);
      }
      return out;
    },
    async recordIds(eventIds) {
      return eventIds.map((id) => recordIdUnder(tokenKeyBytes, id));
    },
  };
}
