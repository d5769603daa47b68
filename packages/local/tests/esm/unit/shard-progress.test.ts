import { describe, expect, it } from 'vitest';
import { createShardProgress } from '../../../src/esm/shard-progress.ts';

describe('createShardProgress', () => {
  it('advances the checkpoint only over a contiguous finished prefix', () => {
    // Prepare
    const progress = createShardProgress();
    const positions = ['1', '2', '3', '4'].map((sequence) => progress.add(sequence));
    // Act
    const afterLater = progress.finish([positions[2] ?? -1, positions[3] ?? -1]);
    const afterFirst = progress.finish([positions[0] ?? -1]);
    const afterAll = progress.finish([positions[1] ?? -1]);
    // Assess
    expect([afterLater, afterFirst, afterAll]).toEqual([undefined, '1', '4']);
    expect(progress.unfinished).toBe(0);
  });

  it('starts from a stored checkpoint and counts unfinished records', () => {
    // Prepare
    const progress = createShardProgress('41');
    // Act
    progress.add('42');
    progress.add('43');
    // Assess
    expect(progress.checkpoint).toBe('41');
    expect(progress.unfinished).toBe(2);
  });

  it('keeps working across compaction of a long shard', () => {
    // Prepare
    const progress = createShardProgress();
    const positions = Array.from({ length: 10_000 }, (_, index) => progress.add(String(index + 1)));
    // Act
    for (const position of positions) progress.finish([position]);
    const next = progress.add('10001');
    // Assess
    expect(progress.finish([next])).toBe('10001');
  });
});
