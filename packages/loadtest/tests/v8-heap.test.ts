import { describe, expect, it } from 'vitest';
import { argsWithSemiSpace, lambdaSemiSpaceMb, semiSpaceOf } from '../src/environment/v8-heap.ts';

describe('the semi-space the handler is measured with', () => {
  it("is Lambda's: a tenth of the function's memory for the young generation, halved", () => {
    expect(lambdaSemiSpaceMb(1769)).toBe(88);
    expect(lambdaSemiSpaceMb(1024)).toBe(51);
    expect(lambdaSemiSpaceMb(128)).toBe(6);
    expect(lambdaSemiSpaceMb(10_240)).toBe(512);
  });

  it('reads --max-semi-space-size from the flags, then NODE_OPTIONS, the command line winning', () => {
    expect(semiSpaceOf([], undefined)).toBeUndefined();
    expect(semiSpaceOf(['--import', 'tsx'], '--enable-source-maps')).toBeUndefined();
    expect(semiSpaceOf(['--max-semi-space-size=64'], undefined)).toBe(64);
    expect(semiSpaceOf(['--max_semi_space_size', '32'], undefined)).toBe(32);
    expect(semiSpaceOf([], '--enable-source-maps  --max-semi-space-size=16')).toBe(16);
    expect(semiSpaceOf(['--max-semi-space-size=64'], '--max-semi-space-size=16')).toBe(64);
    // Not a size: V8 would refuse it, so it does not count as set.
    expect(semiSpaceOf(['--max-semi-space-size=big'], undefined)).toBeUndefined();
  });

  it('starts the same script with its loader and arguments, and one semi-space flag', () => {
    // Prepare: how tsx starts the CLI, with an older flag to replace
    const execArgv = [
      '--require',
      '/x/preflight.cjs',
      '--max-semi-space-size',
      '8',
      '--import',
      'file:///x/loader.mjs',
    ];
    const argv = ['/usr/bin/node', '/repo/packages/cli/src/bin.ts', 'loadtest', 'bench', '--json', 'b.json'];

    // Act
    const args = argsWithSemiSpace(execArgv, argv, 88);

    // Assess
    expect(args).toEqual([
      '--require',
      '/x/preflight.cjs',
      '--import',
      'file:///x/loader.mjs',
      '--expose-gc',
      '--max-semi-space-size=88',
      '/repo/packages/cli/src/bin.ts',
      'loadtest',
      'bench',
      '--json',
      'b.json',
    ]);
    expect(semiSpaceOf(args.slice(0, 6), undefined)).toBe(88);
  });
});
