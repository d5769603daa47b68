import { describe, expect, it } from 'vitest';
import { createProgress } from '../src/index.ts';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return {
    writes,
    stream: {
      isTTY,
      columns: 100,
      write: (text: string) => writes.push(text),
    } as unknown as NodeJS.WriteStream,
  };
}

describe('createProgress', () => {
  it('redraws one line in place on a TTY', () => {
    const { writes, stream } = fakeStream(true);
    const progress = createProgress({ stream, redrawMillis: 0 });
    progress.start('hotpath warm', 100);
    progress.advance(50);
    progress.advance(50);
    progress.done();
    expect(writes.slice(0, -1).every((w) => w.startsWith('\r'))).toBe(true);
    expect(writes.at(-1)).toBe('\n');
    expect(writes.at(-2)).toContain('100%');
  });

  it('prints plain lines without a TTY, the final count once', () => {
    const { writes, stream } = fakeStream(false);
    const progress = createProgress({ stream, lineMillis: 60_000 });
    progress.start('naive warm', 10);
    progress.advance(4);
    progress.advance(6);
    progress.done();
    expect(writes.every((w) => !w.includes('\r') && w.endsWith('\n'))).toBe(true);
    expect(writes.filter((w) => w.includes('10/10'))).toHaveLength(1);
  });
});
