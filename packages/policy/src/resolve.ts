/**
 * Resolves what a template leaves to deploy time, for one assignment of its choices: which branch
 * each `Fn::If` takes, which value each parameter has, what `Fn::FindInMap` reads. The rules then
 * see plain values where they would otherwise see `#{...}` placeholders and pass them.
 */
import { isIntrinsic } from './intrinsics.ts';

/** One way the template can deploy: each condition's truth and each resolvable parameter's value. */
export interface Assignment {
  readonly conditions: ReadonlyMap<string, boolean>;
  readonly parameters: ReadonlyMap<string, unknown>;
}

/** What a value is resolved against. */
export interface Scope extends Assignment {
  /** The template's `Mappings`. */
  readonly mappings: unknown;
  /** The stage's region and account, when known: `Fn::FindInMap` keys often are `AWS::Region`. */
  readonly region: string | undefined;
  readonly account: string | undefined;
}

/** `{Ref: 'AWS::NoValue'}`: the property (or list item) is removed. */
const NO_VALUE: unique symbol = Symbol('AWS::NoValue');
type Resolved = unknown;

/**
 * Resolves a value: the chosen branch of every `Fn::If`, parameters by their value, mappings by
 * their entry, `AWS::NoValue` removed. What cannot be resolved stays as it is.
 *
 * @example resolveValue({ 'Fn::If': ['Prod', 7, { Ref: 'AWS::NoValue' }] }, scope) // 7, or undefined when Prod is false
 */
export function resolveValue(value: unknown, scope: Scope): Resolved {
  const resolved = resolve(value, scope);
  return resolved === NO_VALUE ? undefined : resolved;
}

function resolve(value: unknown, scope: Scope): Resolved | typeof NO_VALUE {
  if (Array.isArray(value))
    return value.map((item) => resolve(item, scope)).filter((item) => item !== NO_VALUE);
  if (typeof value !== 'object' || value === null) return value;
  if (isIntrinsic(value)) return resolveIntrinsic(value, scope);
  const entries = Object.entries(value).map(([key, item]) => [key, resolve(item, scope)] as const);
  return Object.fromEntries(entries.filter(([, item]) => item !== NO_VALUE));
}

function resolveIntrinsic(
  value: Readonly<Record<string, unknown>>,
  scope: Scope,
): Resolved | typeof NO_VALUE {
  const [name, arg] = Object.entries(value)[0] as [string, unknown];
  switch (name) {
    case 'Ref': {
      if (arg === 'AWS::NoValue') return NO_VALUE;
      return typeof arg === 'string' && scope.parameters.has(arg)
        ? structuredClone(scope.parameters.get(arg))
        : value;
    }
    case 'Fn::If': {
      if (!Array.isArray(arg) || typeof arg[0] !== 'string') return value;
      return resolve(scope.conditions.get(arg[0]) === false ? arg[2] : arg[1], scope);
    }
    case 'Fn::FindInMap':
      return findInMap(arg, scope);
    case 'Fn::Sub':
      return { 'Fn::Sub': substitute(arg, scope) };
    default:
      return { [name]: resolve(arg, scope) };
  }
}

/** A map key: a literal, a resolved parameter, or the stage's region or account when known. */
function keyOf(value: unknown, scope: Scope): string | undefined {
  const resolved = resolve(value, scope);
  if (typeof resolved === 'string' || typeof resolved === 'number') return String(resolved);
  const ref = (resolved as { Ref?: unknown } | null)?.Ref;
  if (ref === 'AWS::Region') return scope.region;
  if (ref === 'AWS::AccountId') return scope.account;
  return undefined;
}

function findInMap(arg: unknown, scope: Scope): Resolved | typeof NO_VALUE {
  if (!Array.isArray(arg)) return { 'Fn::FindInMap': arg };
  const [map, top, second, fallback] = arg as unknown[];
  const keys = [map, top, second].map((key) => keyOf(key, scope));
  if (keys.every((key): key is string => key !== undefined)) {
    const entry = readPath(scope.mappings, keys);
    if (entry !== undefined) return resolve(entry, scope);
    // AWS::LanguageExtensions: [map, top, second, {DefaultValue}].
    const defaultValue = (fallback as { DefaultValue?: unknown } | undefined)?.DefaultValue;
    if (defaultValue !== undefined) return resolve(defaultValue, scope);
  }
  return { 'Fn::FindInMap': resolve(arg, scope) };
}

function readPath(value: unknown, keys: readonly string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** `Fn::Sub` with its variables resolved and `${Parameter}` replaced by the parameter's value. */
function substitute(arg: unknown, scope: Scope): unknown {
  const [text, variables] = Array.isArray(arg) ? [arg[0], arg[1]] : [arg, undefined];
  const vars = resolve(variables, scope);
  if (typeof text !== 'string') return resolve(arg, scope);
  const own = (typeof vars === 'object' && vars !== null ? vars : {}) as Record<string, unknown>;
  const replaced = text.replace(/\$\{(!?)([^}]*)\}/g, (match, literal: string, inner: string) => {
    if (literal === '!' || inner in own || !scope.parameters.has(inner)) return match;
    const parameter = scope.parameters.get(inner);
    return typeof parameter === 'string' || typeof parameter === 'number' ? String(parameter) : match;
  });
  return variables === undefined ? replaced : [replaced, vars];
}
