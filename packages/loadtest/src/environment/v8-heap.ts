/**
 * The largest semi-space, MB, that the ingest function runs with by default (the stack passes it
 * as `NODE_OPTIONS=--max-semi-space-size`, `RESIDENCY_INGEST_SEMI_SPACE_MB`). The load test runs
 * the handler with the same, so that its figures are those of the deployed function.
 */
export const INGEST_SEMI_SPACE_MB = 64;

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
 * The arguments to start this Node process again with `--max-semi-space-size=megabytes`: its
 * own flags (a TypeScript loader among them) without an earlier semi-space flag, then the flag,
 * then its script and arguments.
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
  return [...own, `--max-semi-space-size=${megabytes}`, ...argv.slice(1)];
}
