/** A CloudFormation template, as JSON. Only what the rules read is typed. */
export interface CfnTemplate {
  readonly Resources?: Readonly<Record<string, CfnResource>>;
  readonly [section: string]: unknown;
}

/** One resource of a template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly [attribute: string]: unknown;
}

/** Which half of the system a template belongs to. */
export type Plane = 'data' | 'control';

/** A template with what is known about where it deploys. */
export interface StageTemplate {
  /** A name for reports: the stack name or the file. */
  readonly name: string;
  readonly plane: Plane;
  readonly template: CfnTemplate;
  /** The region it deploys to, when known (synthesized stages know; a file does not). */
  readonly region?: string;
  /** The account it deploys to, when known. */
  readonly account?: string;
  /**
   * For each nested stack (`AWS::CloudFormation::Stack`) whose template is checked too, its logical id
   * → the name of the stage that checks it. RES-016 fails a nested stack missing here. Default none.
   */
  readonly nestedStacks?: Readonly<Record<string, string>>;
}

/** How serious a finding is: `error` fails the check; `review` needs a human decision. */
export type Severity = 'error' | 'review';

/** One problem found by a rule. */
export interface Finding {
  readonly ruleId: string;
  readonly severity: Severity;
  /** The stage (template) it was found in. */
  readonly stage: string;
  /** Logical id of the resource, or `(stage)` for the stage as a whole. */
  readonly resource: string;
  readonly message: string;
  readonly fixHint: string;
}

/** Options of `evaluate`. */
export interface EvaluateOptions {
  /** The region personal data must stay in. */
  readonly dataRegion: string;
  /** The account the stages deploy to; literal account ids elsewhere count as outside. Default: each stage's own account, if known. */
  readonly account?: string;
  /** Resource types a human has reviewed and accepted, so they are no longer reported. Default none. */
  readonly acceptTypes?: readonly string[];
}

/** What a rule reports: where and what; `evaluate` adds the rule's id, severity and hint. */
export interface Violation {
  readonly resource: string;
  readonly message: string;
}

/** A residency rule: data plus one small pure function. */
export interface Rule {
  /** Stable id, `RES-NNN-name`. */
  readonly id: string;
  /** One line: why the rule exists. */
  readonly rationale: string;
  /** One line: how to fix a violation. */
  readonly fixHint: string;
  readonly severity: Severity;
  /** The planes whose templates the rule checks. */
  readonly planes: readonly Plane[];
  /** Checks one stage; `context.stages` has all of them for rules that look across stages. */
  readonly check: (context: RuleContext) => readonly Violation[];
}

/** What a rule sees. */
export interface RuleContext {
  readonly stage: StageView;
  readonly stages: readonly StageView[];
  readonly options: EvaluateOptions;
}

/** A stage with its resources indexed. */
export interface StageView extends StageTemplate {
  /** All resources, by logical id. */
  readonly resources: ReadonlyMap<string, CfnResource>;
  /** The account literal ARNs must name to count as inside, when known. */
  readonly homeAccount: string | undefined;
}
