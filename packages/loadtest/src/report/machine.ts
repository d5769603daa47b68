import { arch, availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { semiSpaceOf } from '../environment/v8-heap.ts';

/** The machine a run measured on: figures mean little without it. */
export interface MachineInfo {
  /** Logical CPUs. */
  cpus: number;
  /** `os.availableParallelism()` (what a cgroup or affinity leaves this process). */
  availableParallelism: number;
  cpuModel: string;
  /** Nominal clock of the first CPU, MHz (0 when the OS does not say). */
  cpuMhz: number;
  totalMemoryBytes: number;
  platform: string;
  osRelease: string;
  arch: string;
  nodeVersion: string;
  v8Version: string;
  /** 1-minute load average when the run started (other work on the machine skews figures). */
  loadAverage1m: number;
  /**
   * V8's largest semi-space the handler ran with, MB (`--max-semi-space-size`); `null`: V8's
   * default. Lambda's runtime gives a function a twentieth of its memory (`lambdaSemiSpaceMb`).
   */
  maxSemiSpaceMb: number | null;
}

/** How a report names the semi-space a run had: ` (semi-space 64 MB)`, or ` (V8's default semi-space)`. */
export function semiSpaceText(megabytes: number | null): string {
  return megabytes === null ? " (V8's default semi-space)" : ` (semi-space ${megabytes} MB)`;
}

/** Describes this machine. */
export function describeMachine(): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    availableParallelism: availableParallelism(),
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cpuMhz: list[0]?.speed ?? 0,
    totalMemoryBytes: totalmem(),
    platform: platform(),
    osRelease: release(),
    arch: arch(),
    nodeVersion: process.version,
    v8Version: process.versions.v8,
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    maxSemiSpaceMb: semiSpaceOf(process.execArgv, process.env.NODE_OPTIONS) ?? null,
  };
}
