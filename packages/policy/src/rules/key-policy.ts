import { outsideAccount } from '../arn.ts';
import { allowsAny, type Principal, principalsOf, type Statement, statementsOf } from '../iam.ts';
import { asList, prop, render } from '../intrinsics.ts';
import { resourcesOfType } from '../stage.ts';
import type { Rule, StageView, Violation } from '../types.ts';

/** Actions that use a key (as opposed to managing it). `kms:CreateGrant` hands out use. */
export const KEY_USE_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:GenerateDataKeyPair',
  'kms:GenerateDataKeyPairWithoutPlaintext',
  'kms:CreateGrant',
  'kms:Sign',
  'kms:Verify',
  'kms:GenerateMac',
  'kms:VerifyMac',
  'kms:DeriveSharedSecret',
];

/** Whether the statement limits use to AWS services in the data region (`kms:ViaService`). */
function viaInRegionServices(statement: Statement, dataRegion: string): boolean {
  const services = Object.values((statement.condition ?? {}) as Record<string, unknown>).flatMap((block) =>
    asList(prop(block, 'kms:ViaService')).map((value) => render(value) ?? ''),
  );
  return (
    services.length > 0 &&
    services.every(
      (service) =>
        service.endsWith(`.${dataRegion}.amazonaws.com`) || service.endsWith('.#{AWS.Region}.amazonaws.com'),
    )
  );
}

function problem(
  principal: Principal,
  statement: Statement,
  uses: boolean,
  dataRegion: string,
): string | undefined {
  const who = principal.text;
  switch (principal.kind) {
    case 'role':
      return undefined;
    case 'public':
      return 'lets anyone (*) use or manage the key';
    case 'other':
      return `lets ${who} use or manage the key`;
    case 'service':
      return uses && statement.condition === undefined
        ? `lets the service ${who} use the key without a condition`
        : undefined;
    case 'account':
      if (principal.account !== 'own')
        return `lets ${who}, ${outsideAccount(principal.account, principal.id)}, use or manage the key`;
      return uses
        ? 'lets every IAM principal of the account (the control plane included) use the key, since the account root delegates to IAM'
        : undefined;
    case 'arn':
      if (principal.account !== 'own')
        return `lets ${who}, ${outsideAccount(principal.account, principal.id)}, use or manage the key`;
      return uses && !viaInRegionServices(statement, dataRegion)
        ? `lets ${who}, which is not a role of this stage, use the key directly`
        : undefined;
  }
}

function checkKey(stage: StageView, id: string, policy: unknown, dataRegion: string): Violation[] {
  if (policy === undefined) {
    return [
      {
        resource: id,
        message: 'has the default key policy, which lets every IAM principal of the account use the key',
      },
    ];
  }
  const found: Violation[] = [];
  for (const statement of statementsOf(policy)) {
    if (statement.effect !== 'Allow') continue;
    if (statement.notPrincipal || statement.notAction) {
      found.push({
        resource: id,
        message: 'key policy uses NotPrincipal or NotAction in an Allow statement',
      });
      continue;
    }
    const uses = allowsAny(statement, KEY_USE_ACTIONS);
    for (const principal of principalsOf(statement, stage)) {
      const message = problem(principal, statement, uses, dataRegion);
      if (message !== undefined) found.push({ resource: id, message });
    }
  }
  return found;
}

/** RES-010: only this stage's roles may use the data-plane key. */
export const keyPolicy: Rule = {
  id: 'RES-010-key-policy',
  rationale:
    'Whoever can use the data key can read the vault and the streams; the key policy must name this stage’s roles and no one else.',
  fixHint:
    'Write the key policy: the account root gets key administration only, this stack’s function roles get use; deployment roles only with kms:ViaService in the data region.',
  severity: 'error',
  planes: ['data'],
  check: ({ stage, options }) =>
    resourcesOfType(stage, 'AWS::KMS::Key').flatMap(([id, key]) =>
      checkKey(stage, id, key.Properties?.KeyPolicy, options.dataRegion),
    ),
};
