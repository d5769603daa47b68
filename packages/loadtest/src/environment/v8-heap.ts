/**
 * The largest semi-space, MB, that Lambda's Node.js runtime gives a function of `memoryMb`: its
 * bootstrap starts node with `--max-semi-space-size` of a twentieth of the memory (a tenth for
 * the young generation, halved) and `--max-old-space-size` of the rest, on the command line, so a
 * function's own `NODE_OPTIONS` cannot change them. 88 MB at the ingest's 1,769. The load test
 * runs the handler with the same, so that its garbage collection is the deployed function's: a
 * batch keeps thousands of events alive until it ends, and V8's default semi-space (8 or 16 MB,
 * by the heap limit) has the scavenger copy them over and over.
 *
 * @example lambdaSemiSpaceMb(1769) // 88
 */
export function lambdaSemiSpaceMb(memoryMb: number): number {
  return Math.floor(Math.floor(memoryMb / 10) / 2);
}

const FLAG = /^--max[-_]semi[-_]space[-_]size(?:=(.*))?$/;

/**
 * The `--max-semi-space-size` a Node process was started with, MB, from its own flags and then
 * `NODE_OPTIONS` (the last one given wins, as V8 reads them); `undefined` when neither sets it
 * (V8's default, which scales with the heap limit). V8 takes the flag only at start: a process
 * cannot change it for itself.
 *
 * @example semiSpaceOf(process.execArgv, process.env.NODE_OPTIONS)
 */
export function semiSpaceOf(
  execArgv: readonly string[],
  nodeOptions: string | undefined,
): number | undefined {
  let found: number | undefined;
  // NODE_OPTIONS are applied before the command line's own flags, which win.
  const args = [...(nodeOptions ?? '').split(/\s+/).filter(Boolean), ...execArgv];
  for (let i = 0; i < args.length; i++) {
    const match = FLAG.exec(args[i] as string);
    if (!match) continue;
    const value = match[1] ?? args[++i];
    const megabytes = Number(value);
    if (Number.isInteger(megabytes) && megabytes > 0) found = megabytes;
  }
  return found;
}

/**
 * The arguments to start this Node process again with `--max-semi-space-size=megabytes` (and
 * `--expose-gc`, which Lambda's bootstrap passes too): its own flags (a TypeScript loader among
 * them) without an earlier semi-space flag, then those, then its script and arguments.
 */
export function argsWithSemiSpace(
  execArgv: readonly string[],
  argv: readonly string[],
  megabytes: number,
): string[] {
  const own: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const match = FLAG.exec(execArgv[i] as string);
    if (!match) own.push(execArgv[i] as string);
    else if (match[1] === undefined) i += 1;
  }
  if (!own.includes('--expose-gc')) own.push('--expose-gc');
  return [...own, `--max-semi-space-size=${megabytes}`, ...argv.slice(1)];
}
