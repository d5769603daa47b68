/** A load-test run that cannot go on: bad options, an environment that did not start, a failed scenario. */
export class LoadtestError extends Error {
  override readonly name: string = 'LoadtestError';
  constructor(
    message: string,
    /** The option or scenario at fault, when there is one (e.g. `--events`, `hotpath`). */
    readonly setting?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A scenario asked for needs a package or export that is not there (yet). */
export class ScenarioUnavailableError extends LoadtestError {
  override readonly name = 'ScenarioUnavailableError';
  constructor(
    readonly scenario: string,
    /** What is missing, e.g. `@residency/pipeline createIngestHandler`. */
    readonly missing: string,
    options?: ErrorOptions,
  ) {
    super(`scenario ${scenario} needs ${missing}, which is not available`, scenario, options);
  }
}

/** The local emulator host (a child process) failed to start or died. */
export class EmulatorHostError extends LoadtestError {
  override readonly name = 'EmulatorHostError';
}
