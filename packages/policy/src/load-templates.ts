import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { TemplateError } from './errors.ts';
import { isResourceEntry } from './stage.ts';
import type { CfnTemplate, StageTemplate } from './types.ts';

/** How deep nested cloud assemblies (a Stage inside a Stage) are followed; CDK never goes near it. */
const MAX_ASSEMBLY_DEPTH = 8;

/**
 * Reads a template file, or every `*.template.json` of a directory and of the nested cloud
 * assemblies it holds, as data-plane stages. A `cdk.out` of an app with CDK Stages keeps each
 * stage's stacks in `assembly-<Stage>/`, named in `manifest.json` as `cdk:cloud-assembly`
 * artifacts; reading only the top folder would pass those stacks unchecked.
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
  return Promise.all(
    files.map(async (file) => ({
      name: directory ? relative(path, file) : (file.split(/[\\/]/).pop() ?? file),
      plane: 'data' as const,
      template: await loadTemplate(file),
    })),
  );
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
