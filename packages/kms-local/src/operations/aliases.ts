import { z } from 'zod';
import { aliasArn } from '../arn.ts';
import type { Operation, OperationContext } from '../context.ts';
import { epochSeconds } from '../context.ts';
import { KmsApiError } from '../errors.ts';
import type { AliasRecord } from '../key-record.ts';
import { paginate } from '../page.ts';
import { findKey } from '../resolve.ts';
import { KeyIdSchema, PageSchema, parseInput } from '../validation.ts';

const AliasNameSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(
    /^alias\/[a-zA-Z0-9/_-]+$/,
    'Member must satisfy regular expression pattern: ^alias/[a-zA-Z0-9/_-]+$',
  );
const AliasTargetSchema = z.object({ AliasName: AliasNameSchema, TargetKeyId: KeyIdSchema });

// https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html: the alias/aws/
// prefix is reserved for AWS managed keys.
function assertCustomerAlias(name: string): void {
  if (name.startsWith('alias/aws/')) {
    throw new KmsApiError(
      'InvalidAliasNameException',
      `Alias ${name} must not begin with alias/aws/ (reserved)`,
    );
  }
}

function toAliasListEntry(ctx: OperationContext, alias: AliasRecord) {
  return {
    AliasName: alias.aliasName,
    AliasArn: aliasArn(ctx.region, ctx.accountId, alias.aliasName),
    TargetKeyId: alias.targetKeyId,
    CreationDate: epochSeconds(alias.createdAtMillis),
    LastUpdatedDate: epochSeconds(alias.updatedAtMillis),
  };
}

/** CreateAlias: names a key; the target must be a key id or key ARN, not another alias. */
export const createAlias: Operation = async (body, ctx) => {
  const input = parseInput(AliasTargetSchema, body);
  assertCustomerAlias(input.AliasName);
  if (ctx.store.aliases.has(input.AliasName)) {
    throw new KmsApiError(
      'AlreadyExistsException',
      `An alias with the name ${aliasArn(ctx.region, ctx.accountId, input.AliasName)} already exists`,
    );
  }
  const key = findKey(ctx, input.TargetKeyId, false);
  const now = ctx.clock().getTime();
  ctx.store.aliases.set(input.AliasName, {
    aliasName: input.AliasName,
    targetKeyId: key.keyId,
    createdAtMillis: now,
    updatedAtMillis: now,
  });
  await ctx.store.save();
  return {};
};

/** UpdateAlias: points an existing alias at another key of the same usage. */
export const updateAlias: Operation = async (body, ctx) => {
  const input = parseInput(AliasTargetSchema, body);
  assertCustomerAlias(input.AliasName);
  const alias = ctx.store.aliases.get(input.AliasName);
  if (!alias) {
    throw new KmsApiError(
      'NotFoundException',
      `Alias ${aliasArn(ctx.region, ctx.accountId, input.AliasName)} is not found.`,
    );
  }
  const key = findKey(ctx, input.TargetKeyId, false);
  const current = ctx.store.keys.get(alias.targetKeyId);
  if (current && current.keyUsage !== key.keyUsage) {
    throw new KmsApiError(
      'ValidationException',
      `The new target key must have key usage ${current.keyUsage}`,
    );
  }
  alias.targetKeyId = key.keyId;
  alias.updatedAtMillis = ctx.clock().getTime();
  await ctx.store.save();
  return {};
};

/** DeleteAlias: removes the name; the key is untouched. */
export const deleteAlias: Operation = async (body, ctx) => {
  const input = parseInput(z.object({ AliasName: AliasNameSchema }), body);
  if (!ctx.store.aliases.delete(input.AliasName)) {
    throw new KmsApiError(
      'NotFoundException',
      `Alias ${aliasArn(ctx.region, ctx.accountId, input.AliasName)} is not found.`,
    );
  }
  await ctx.store.save();
  return {};
};

const ListAliasesSchema = z.object({ KeyId: KeyIdSchema.optional(), ...PageSchema });

/** ListAliases: all aliases, or those of one key (`KeyId`: key id or key ARN), by name. */
export const listAliases: Operation = async (body, ctx) => {
  const input = parseInput(ListAliasesSchema, body ?? {});
  const keyId = input.KeyId === undefined ? undefined : findKey(ctx, input.KeyId, false).keyId;
  const aliases = [...ctx.store.aliases.values()]
    .filter((alias) => keyId === undefined || alias.targetKeyId === keyId)
    .sort((a, b) => (a.aliasName < b.aliasName ? -1 : 1));
  const { page, ...rest } = paginate(aliases, input.Limit, input.Marker);
  return { Aliases: page.map((alias) => toAliasListEntry(ctx, alias)), ...rest };
};
