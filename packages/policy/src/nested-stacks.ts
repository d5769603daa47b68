/**
 * Nested stacks (`AWS::CloudFormation::Stack`) of a cloud assembly. CDK writes each nested stack's
 * template next to its parent as `*.nested.template.json` and points `TemplateURL` at its S3 copy:
 * an object key `<asset hash>.json` (asset manifests, `*.assets.json`), or asset parameters named
 * `AssetParameters<hash>...` (the legacy synthesizer, listed as `aws:cdk:asset` metadata in
 * `manifest.json`); with asset metadata on, the resource also names the file (`aws:asset:path`).
 * A nested stack deploys where its parent does, with the parameters its parent passes.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { prop, render } from './intrinsics.ts';
import type { CfnResource, CfnTemplate } from './types.ts';

/** The resource type of a nested stack. */
export const NESTED_STACK_TYPE = 'AWS::CloudFormation::Stack';

/** CDK asset hashes: 64 lower-case hex digits. */
const ASSET_HASH = /(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])/g;

/** Asset hash (and object key) → file name, from a directory's asset manifests and manifest.json. */
export type AssetIndex = ReadonlyMap<string, string>;

/**
 * The file assets of an assembly directory, by asset id, source hash and object key. Manifests that
 * are missing add nothing; `parse` reports one that is not JSON.
 * See https://github.com/aws/aws-cdk/tree/main/packages/aws-cdk-lib/cloud-assembly-schema
 */
export async function assetIndex(
  directory: string,
  parse: (text: string, path: string) => unknown,
): Promise<AssetIndex> {
  const index = new Map<string, string>();
  const read = async (name: string) => {
    const path = join(directory, name);
    return parse(await readFile(path, 'utf8'), path);
  };
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return index;
  }
  for (const name of names.filter((file) => file.endsWith('.assets.json')).sort()) {
    const files = prop(await read(name), 'files');
    for (const [id, asset] of Object.entries((files ?? {}) as Record<string, unknown>)) {
      const source = prop(asset, 'source', 'path');
      if (typeof source !== 'string' || prop(asset, 'source', 'packaging') === 'zip') continue;
      index.set(id, source);
      for (const destination of Object.values(
        (prop(asset, 'destinations') ?? {}) as Record<string, unknown>,
      )) {
        const key = prop(destination, 'objectKey');
        if (typeof key === 'string') index.set(key, source);
      }
    }
  }
  if (names.includes('manifest.json')) {
    const artifacts = (prop(await read('manifest.json'), 'artifacts') ?? {}) as Record<string, unknown>;
    for (const artifact of Object.values(artifacts)) {
      for (const entries of Object.values((prop(artifact, 'metadata') ?? {}) as Record<string, unknown>)) {
        for (const entry of Array.isArray(entries) ? entries : []) {
          const data = prop(entry, 'data');
          const path = prop(data, 'path');
          if (prop(entry, 'type') !== 'aws:cdk:asset' || typeof path !== 'string') continue;
          for (const key of [prop(data, 'id'), prop(data, 'sourceHash')])
            if (typeof key === 'string') index.set(key, path);
        }
      }
    }
  }
  return index;
}

/**
 * The file of a nested stack's template in its parent's directory, if it is there. `TemplateURL`
 * decides (it is what deploys): the asset its hash names. `aws:asset:path` is used only when the URL
 * is an asset's but the manifests are missing. A file must be a plain name in the directory.
 */
export async function nestedTemplateFile(
  resource: CfnResource,
  directory: string,
  index: AssetIndex,
): Promise<string | undefined> {
  const url = render(prop(resource.Properties, 'TemplateURL')) ?? '';
  const hashes = [...url.matchAll(ASSET_HASH)].map((match) => match[0]);
  const metadata = prop(resource, 'Metadata', 'aws:asset:path');
  const property = prop(resource, 'Metadata', 'aws:asset:property');
  const fromIndex = hashes.map((hash) => index.get(hash) ?? index.get(`${hash}.json`)).find(Boolean);
  const name =
    fromIndex ??
    (hashes.length > 0 && (property === undefined || property === 'TemplateURL') ? metadata : undefined);
  if (typeof name !== 'string' || !/^[^\\/]+\.json$/.test(name)) return undefined;
  const file = join(directory, name);
  try {
    return (await stat(file)).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a rendered value is known without the parent's resources: literals and pseudo parameters only. */
function isKnown(text: string | undefined): text is string {
  return (
    text !== undefined &&
    [...text.matchAll(/#\{([^}]*)\}/g)].every(([, inner = '']) => inner.startsWith('AWS.'))
  );
}

/**
 * A nested template with the parameter values its parent passes. A value known from the parent
 * (a literal, a pseudo parameter) becomes the parameter's only value; one that refers to the
 * parent's resources or parameters cannot be known here, so the parameter loses its default (it
 * keeps its allowed values) and what it decides counts as unresolvable. Parameters the parent does
 * not pass keep their default.
 *
 * @example withParentParameters(template, { Stage: 'prod', KeyArn: { 'Fn::GetAtt': ['Key', 'Arn'] } })
 */
export function withParentParameters(template: CfnTemplate, values: unknown): CfnTemplate {
  const declared = (template.Parameters ?? {}) as Record<string, Record<string, unknown> | null>;
  const passed = (typeof values === 'object' && values !== null ? values : {}) as Record<string, unknown>;
  const parameters = Object.fromEntries(
    Object.entries(declared).map(([name, definition]) => {
      if (!(name in passed)) return [name, definition];
      const { Default: _default, AllowedValues: allowed, ...rest } = definition ?? {};
      const value = passed[name];
      const text = render(value);
      // Unknown, the value is still one of the allowed ones, and each is checked.
      if (!isKnown(text)) return [name, allowed === undefined ? rest : { ...rest, AllowedValues: allowed }];
      return [name, { ...rest, Default: typeof value === 'object' ? text : value }];
    }),
  );
  return { ...template, Parameters: parameters };
}
