/**
 * Just enough of CloudFormation's intrinsic functions to reason about a template offline.
 *
 * `render` turns a value into a string with unresolved parts as `#{...}` placeholders that contain
 * no colon, so ARNs stay splittable: `{Ref: 'AWS::Region'}` → `#{AWS.Region}`, `{'Fn::GetAtt':
 * ['Key', 'Arn']}` → `#{Key.Arn}`, anything that cannot be resolved statically → `#{?}`.
 */

/** Placeholder for a value that cannot be resolved statically. */
export const UNKNOWN = '#{?}';

type Json = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether a value is an intrinsic function call (`{Ref}` or `{'Fn::...'}`). */
export function isIntrinsic(value: unknown): value is Json {
  if (!isObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || (keys[0]?.startsWith('Fn::') ?? false));
}

/**
 * The logical id a value points at, for `{Ref: X}` and `{'Fn::GetAtt': [X, attr]}` (pseudo
 * parameters excluded).
 *
 * @example refTarget({ 'Fn::GetAtt': ['Vault', 'Arn'] }) // 'Vault'
 */
export function refTarget(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  const ref = value.Ref;
  if (typeof ref === 'string') return ref.startsWith('AWS::') ? undefined : ref;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

/** The attribute a `Fn::GetAtt` reads, if the value is one. */
export function getAttName(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[1] === 'string') return getAtt[1];
  if (typeof getAtt === 'string') return getAtt.split('.').slice(1).join('.');
  return undefined;
}

/**
 * Renders a scalar or intrinsic to a string with `#{...}` placeholders; `undefined` for plain
 * objects and arrays.
 *
 * @example render({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::b']] }) // 'arn:#{AWS.Partition}:s3:::b'
 */
export function render(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (!isIntrinsic(value)) return undefined;
  const [name, arg] = Object.entries(value)[0] as [string, unknown];
  switch (name) {
    case 'Ref':
      return typeof arg === 'string' ? `#{${arg.replace('::', '.')}}` : UNKNOWN;
    case 'Fn::GetAtt': {
      const target = refTarget(value);
      return target === undefined ? UNKNOWN : `#{${target}.${getAttName(value) ?? ''}}`;
    }
    case 'Fn::Join': {
      if (!Array.isArray(arg) || typeof arg[0] !== 'string' || !Array.isArray(arg[1])) return UNKNOWN;
      const separator = arg[0];
      return (arg[1] as unknown[]).map((part) => render(part) ?? UNKNOWN).join(separator);
    }
    case 'Fn::Sub':
      return renderSub(arg);
    case 'Fn::Select': {
      if (!Array.isArray(arg) || !Array.isArray(arg[1])) return UNKNOWN;
      const item = (arg[1] as unknown[])[Number(arg[0])];
      return item === undefined ? UNKNOWN : (render(item) ?? UNKNOWN);
    }
    case 'Fn::Base64':
      return render(arg) ?? UNKNOWN;
    default:
      return UNKNOWN;
  }
}

function renderSub(arg: unknown): string {
  const [text, variables] = Array.isArray(arg) ? [arg[0], arg[1]] : [arg, {}];
  if (typeof text !== 'string') return UNKNOWN;
  const vars: Json = isObject(variables) ? variables : {};
  return text.replace(/\$\{(!?)([^}]*)\}/g, (_match, literal: string, inner: string) => {
    if (literal === '!') return `\${${inner}}`;
    if (inner in vars) return render(vars[inner]) ?? UNKNOWN;
    return `#{${inner.replace('::', '.')}}`;
  });
}

/** A string found somewhere inside a value, with its path. */
export interface FoundString {
  /** Dotted path from the start value, e.g. `Environment.Variables.ORIGIN`. */
  readonly path: string;
  readonly text: string;
}

/**
 * Every string in a value, intrinsics rendered; both branches of a `Fn::If` are visited.
 *
 * @example [...strings({ A: ['x', { Ref: 'B' }] })] // [{ path: 'A.0', text: 'x' }, { path: 'A.1', text: '#{B}' }]
 */
export function* strings(value: unknown, path = ''): Generator<FoundString> {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* strings(item, join(path, String(index)));
    return;
  }
  if (isIntrinsic(value) && 'Fn::If' in value) {
    const branches = value['Fn::If'];
    if (Array.isArray(branches)) {
      yield* strings(branches[1], path);
      yield* strings(branches[2], path);
    }
    return;
  }
  const text = render(value);
  if (text !== undefined) {
    yield { path, text };
    return;
  }
  if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) yield* strings(item, join(path, key));
  }
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** A value that may be one item or a list, as a list (`undefined` → empty). */
export function asList(value: unknown): readonly unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** Reads a nested property, `undefined` when any step is missing. */
export function prop(value: unknown, ...path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}
