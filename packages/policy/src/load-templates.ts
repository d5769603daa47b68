import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { TemplateError } from './errors.ts';
import {
  type AssetIndex,
  assetIndex,
  NESTED_STACK_TYPE,
  nestedTemplateFile,
  withParentParameters,
} from './nested-stacks.ts';
import { isResourceEntry } from './stage.ts';
import type { CfnTemplate, StageTemplate } from './types.ts';

/** How deep nested cloud assemblies (a Stage inside a Stage) are followed; CDK never goes near it. */
const MAX_ASSEMBLY_DEPTH = 8;

/** How deep nested stacks are followed; one deeper is not loaded, so RES-016 fails it. */
const MAX_NESTED_STACK_DEPTH = 8;

/**
 * Reads a template file, or every `*.template.json` of a directory and of the nested cloud
 * assemblies it holds, as data-plane stages. A `cdk.out` of an app with CDK Stages keeps each
 * stage's stacks in `assembly-<Stage>/`, named in `manifest.json` as `cdk:cloud-assembly`
 * artifacts; reading only the top folder would pass those stacks unchecked. Each template is
 * followed by the templates of its nested stacks (`AWS::CloudFormation::Stack`), found beside it.
 *
 * @example const stages = await loadTemplates('cdk.out'); // names like 'assembly-Prod/Data.template.json'
 */
export async function loadTemplates(path: string): Promise<StageTemplate[]> {
  let directory: boolean;
  try {
    directory = (await stat(path)).isDirectory();
  } catch (cause) {
    throw new TemplateError('cannot be read', path, { cause });
  }
  const files = directory ? await templateFiles(path, 0) : [path];
  if (files.length === 0) throw new TemplateError('holds no *.template.json files', path);
  const base = directory ? path : dirname(path);
  return withNestedStacks(files, (file) => relative(base, file));
}

/**
 * The stages of some template files, each followed by its nested stacks (see nested-stacks.ts),
 * which are checked with their parent's plane, region and account and the parameters it passes,
 * under their own file's name. A file that is some file's nested stack is checked only as that;
 * a nested stack whose template is not found is not in the parent's `nestedStacks`, and RES-016
 * fails it.
 */
async function withNestedStacks(
  files: readonly string[],
  nameOf: (file: string) => string,
): Promise<StageTemplate[]> {
  const templates = new Map<string, Promise<CfnTemplate>>();
  const load = (file: string) => {
    if (!templates.has(file)) templates.set(file, loadTemplate(file));
    return templates.get(file) as Promise<CfnTemplate>;
  };
  const indexes = new Map<string, Promise<AssetIndex>>();
  const indexOf = (directory: string) => {
    if (!indexes.has(directory)) indexes.set(directory, assetIndex(directory, parseJson));
    return indexes.get(directory) as Promise<AssetIndex>;
  };
  /** Logical id of each nested stack → its template file, for the stacks whose template is found. */
  const children = async (file: string): Promise<Map<string, string>> => {
    const found = new Map<string, string>();
    const resources = Object.entries((await load(file)).Resources ?? {});
    for (const [id, resource] of resources.filter(([, r]) => r?.Type === NESTED_STACK_TYPE)) {
      const child = await nestedTemplateFile(resource, dirname(file), await indexOf(dirname(file)));
      if (child !== undefined) found.set(id, child);
    }
    return found;
  };
  const nested = new Set<string>();
  for (const file of files) for (const child of (await children(file)).values()) nested.add(child);
  const stages: StageTemplate[] = [];
  const emitted = new Set<string>();
  /** Adds a file's stage (`stage`: all but its name), then those of its nested stacks. */
  const emit = async (file: string, stage: Omit<StageTemplate, 'name'>, ancestors: readonly string[]) => {
    emitted.add(file);
    const found =
      ancestors.length < MAX_NESTED_STACK_DEPTH ? await children(file) : new Map<string, string>();
    const nestedStacks = Object.fromEntries([...found].map(([id, child]) => [id, nameOf(child)]));
    stages.push({ ...stage, name: nameOf(file), nestedStacks });
    for (const [id, child] of found) {
      if (child === file || ancestors.includes(child)) continue;
      const values = stage.template.Resources?.[id]?.Properties?.Parameters;
      const template = withParentParameters(await load(child), values);
      await emit(child, { ...stage, template }, [...ancestors, file]);
    }
  };
  for (const file of files) {
    if (!nested.has(file)) await emit(file, { plane: 'data', template: await load(file) }, []);
  }
  // Nested stacks of one another only (a cycle): checked on their own rather than not at all.
  for (const file of files) {
    if (!emitted.has(file)) await emit(file, { plane: 'data', template: await load(file) }, []);
  }
  return stages;
}

/** The `*.template.json` files of a directory, then those of its nested assemblies. */
async function templateFiles(directory: string, depth: number): Promise<string[]> {
  let entries: { name: string; isDirectory(): boolean }[];
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (cause) {
    throw new TemplateError('cannot be read', directory, { cause });
  }
  const own = entries
    .filter((entry) => !entry.isDirectory() && entry.name.endsWith('.template.json'))
    .map((entry) => join(directory, entry.name))
    .sort();
  if (depth >= MAX_ASSEMBLY_DEPTH) return own;
  const conventional = entries
    .filter((entry) => entry.isDirectory() && entry.name.startsWith('assembly-'))
    .map((entry) => entry.name);
  const nested = [...new Set([...(await nestedAssemblies(directory)), ...conventional])].sort();
  const inner = await Promise.all(nested.map((name) => templateFiles(join(directory, name), depth + 1)));
  return [...own, ...inner.flat()];
}

/**
 * Directories of the nested cloud assemblies a `manifest.json` names (none without a manifest).
 * See https://github.com/aws/aws-cdk/blob/main/packages/aws-cdk-lib/cloud-assembly-schema/lib/cloud-assembly/artifact-schema.ts
 */
async function nestedAssemblies(directory: string): Promise<string[]> {
  const path = join(directory, 'manifest.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  const manifest = parseJson(text, path);
  const artifacts = (manifest as { artifacts?: unknown } | null)?.artifacts;
  if (typeof artifacts !== 'object' || artifacts === null) return [];
  return Object.values(artifacts as Record<string, unknown>).flatMap((artifact) => {
    const { type, properties } = (artifact ?? {}) as { type?: unknown; properties?: unknown };
    const name = (properties as { directoryName?: unknown } | undefined)?.directoryName;
    // A directory name is a plain folder of this assembly, never a path out of it.
    return type === 'cdk:cloud-assembly' &&
      typeof name === 'string' &&
      /^[^\\/]+$/.test(name) &&
      name !== '..'
      ? [name]
      : [];
  });
}

/**
 * Parses JSON with a message that says where it breaks. A UTF-8 byte order mark, which some
 * Windows editors write, is not part of the JSON and is dropped (JSON.parse rejects it).
 */
function parseJson(raw: string, path: string): unknown {
  const text = raw.replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new TemplateError('is empty', path);
  if (!/^\s*[{[]/.test(text))
    throw new TemplateError('is not JSON (convert YAML templates first, e.g. with cfn-flip)', path);
  try {
    return JSON.parse(text);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const position = /at position (\d+)/.exec(reason)?.[1];
    const where = position === undefined ? '' : ` (${lineAndColumn(text, Number(position))})`;
    throw new TemplateError(`is not valid JSON: ${reason}${where}`, path, { cause });
  }
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

async function loadTemplate(path: string): Promise<CfnTemplate> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new TemplateError('cannot be read', path, { cause });
  }
  const parsed = parseJson(text, path);
  const resources = (parsed as { Resources?: unknown } | null)?.Resources;
  if (typeof resources !== 'object' || resources === null || Array.isArray(resources)) {
    throw new TemplateError('is not a CloudFormation template (no Resources object)', path);
  }
  for (const [id, resource] of Object.entries(resources)) {
    if (!isResourceEntry(id)) continue;
    if (typeof (resource as { Type?: unknown } | null)?.Type !== 'string') {
      throw new TemplateError(`resource ${id} has no Type`, path);
    }
  }
  return parsed as CfnTemplate;
}
