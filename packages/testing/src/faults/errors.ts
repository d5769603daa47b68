/** A fault plan that cannot be applied (a probability out of range, a negative count). */
export class FaultPlanError extends Error {
  override readonly name = 'FaultPlanError';
  constructor(
    message: string,
    /** Index of the offending rule in the plan. */
    readonly ruleIndex: number,
  ) {
    super(message);
  }
}

/** A component of the harness did not start (a child process exited or never said it was ready). */
export class ComponentStartError extends Error {
  override readonly name = 'ComponentStartError';
  constructor(
    message: string,
    /** The component's name, e.g. `kinesis` or `local-stack-process`. */
    readonly component: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
