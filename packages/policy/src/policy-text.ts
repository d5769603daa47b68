/**
 * Policies written as JSON text. CloudFormation accepts a policy document (KeyPolicy,
 * PolicyDocument, ...) as a JSON string, often built with Fn::Sub or Fn::Join; rules that read only
 * objects would pass whatever such a text grants.
 */
import { isIntrinsic } from './intrinsics.ts';

/** Property names that hold a policy document (`RedrivePolicy` too: a JSON string is allowed there). */
export const POLICY_PROPERTY = /(Policy|PolicyDocument|PolicyText|AccessPolicies)$/;

/** A policy text read: the document, or why it could not be. */
export type PolicyText = { readonly document: unknown } | { readonly error: string };

/** Marks where an intrinsic sat in the text; survives JSON.parse inside a string. */
const TOKEN = /@@cfn(\d+)@@/g;

/**
 * Reads a policy given as JSON text: a string, `Fn::Sub` or `Fn::Join`. The intrinsics inside the
 * text come back as intrinsics (a whole string) or as `Fn::Join` parts, so the rules see
 * `{ 'Fn::GetAtt': ['Role', 'Arn'] }` where the text said `${Role.Arn}`. `undefined` when the
 * value is not text (a document object, or some other intrinsic).
 *
 * @example readPolicyText({ 'Fn::Sub': '{"Statement":[{"Principal":{"AWS":"${Role.Arn}"}}]}' })
 * // { document: { Statement: [{ Principal: { AWS: { 'Fn::GetAtt': ['Role', 'Arn'] } } }] } }
 */
export function readPolicyText(value: unknown): PolicyText | undefined {
  const tokens: unknown[] = [];
  const text = textOf(value, tokens);
  if (text === undefined || !/^\s*\{/.test(text)) return undefined;
  try {
    return { document: restore(JSON.parse(text), tokens) };
  } catch (cause) {
    return { error: cause instanceof Error ? cause.message : String(cause) };
  }
}

function token(tokens: unknown[], expression: unknown): string {
  tokens.push(expression);
  return `@@cfn${tokens.length - 1}@@`;
}

function textOf(value: unknown, tokens: unknown[]): string | undefined {
  if (typeof value === 'string') return value;
  if (!isIntrinsic(value)) return undefined;
  const sub = value['Fn::Sub'];
  if (sub !== undefined) {
    const [text, variables] = Array.isArray(sub) ? [sub[0], sub[1]] : [sub, {}];
    if (typeof text !== 'string') return undefined;
    const vars = (typeof variables === 'object' && variables !== null ? variables : {}) as Record<
      string,
      unknown
    >;
    return text.replace(/\$\{(!?)([^}]*)\}/g, (_match, literal: string, inner: string) => {
      if (literal === '!') return `\${${inner}}`;
      if (inner in vars) return token(tokens, vars[inner]);
      const [target, ...attribute] = inner.split('.');
      return token(
        tokens,
        attribute.length === 0 || inner.startsWith('AWS::')
          ? { Ref: inner }
          : { 'Fn::GetAtt': [target, attribute.join('.')] },
      );
    });
  }
  const join = value['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    return (join[1] as unknown[])
      .map((part) => (typeof part === 'string' ? part : token(tokens, part)))
      .join(join[0]);
  }
  return undefined;
}

/** Puts the intrinsics back where their tokens are. */
function restore(value: unknown, tokens: readonly unknown[]): unknown {
  if (Array.isArray(value)) return value.map((item) => restore(item, tokens));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key.replace(TOKEN, '*'), restore(item, tokens)]),
    );
  }
  if (typeof value !== 'string' || !value.includes('@@cfn')) return value;
  const parts = value.split(/(@@cfn\d+@@)/).filter((part) => part !== '');
  const restored = parts.map((part) => {
    const index = /^@@cfn(\d+)@@$/.exec(part)?.[1];
    return index === undefined ? part : tokens[Number(index)];
  });
  return restored.length === 1 ? restored[0] : { 'Fn::Join': ['', restored] };
}

/**
 * A value with every policy property that holds readable JSON text replaced by the document. Text
 * that cannot be read stays text (RES-015 reports it).
 */
export function withPolicyTexts(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withPolicyTexts);
  if (typeof value !== 'object' || value === null || isIntrinsic(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => {
      const text = POLICY_PROPERTY.test(key) ? readPolicyText(item) : undefined;
      return [key, text !== undefined && 'document' in text ? text.document : withPolicyTexts(item)];
    }),
  );
}
