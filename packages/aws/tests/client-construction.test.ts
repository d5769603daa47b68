import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const PACKAGES = join(ROOT, 'packages');

// Where a data-store client may be built by hand: the factory itself, and the load test's clients
// whose HTTP handler answers in process (no socket to time out).
const ALLOWED = new Set(['packages/aws/src', 'packages/loadtest/src/scenarios/null-clients.ts']);
const CONSTRUCTION = /\bnew (DynamoDBClient|KinesisClient|KMSClient)\(/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

// A line of code, not of a comment (`@example new DynamoDBClient(...)` in a doc comment is allowed).
const isComment = (line: string) => /^\s*(\*|\/\/|\/\*)/.test(line);

describe('AWS SDK clients', () => {
  it('are built by createAwsClients in every package, which sets connection and request time-outs', () => {
    // Prepare: every package's src/
    const files = readdirSync(PACKAGES).flatMap((name) => {
      const src = join(PACKAGES, name, 'src');
      try {
        return sourceFiles(src);
      } catch {
        return [];
      }
    });
    expect(files.length).toBeGreaterThan(100);
    // Act
    const byHand = files.flatMap((file) => {
      const path = relative(ROOT, file);
      if ([...ALLOWED].some((allowed) => path === allowed || path.startsWith(`${allowed}/`))) return [];
      return readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, index) =>
          CONSTRUCTION.test(line) && !isComment(line) ? [`${path}:${index + 1}`] : [],
        );
    });
    // Assess: the SDK's own default has no request time-out, so a half-open socket (which real
    // networks make and loopback emulators do not) would hold a call until the function times out
    expect(byHand).toEqual([]);
  });
});
