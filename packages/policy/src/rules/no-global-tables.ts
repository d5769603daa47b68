import { asList, prop, render } from '../intrinsics.ts';
import { resourcesOfType } from '../stage.ts';
import type { Rule, StageView, Violation } from '../types.ts';

/**
 * Whether a replica or witness region is the data region: the literal name, or the stack's own region
 * (`AWS::Region`), which RES-001 requires to be the data region.
 */
function isDataRegion(value: unknown, dataRegion: string): boolean {
  const region = render(value);
  return region === dataRegion || region === '#{AWS.Region}';
}

/**
 * Why an `AWS::DynamoDB::GlobalTable` is not confined to the data region, if it is not. CDK's
 * `TableV2` is always one; with replicas only in the data region (one, in practice) it is a table in
 * one region and passes. Every other replica, and a witness region of a multi-Region strongly
 * consistent table (`GlobalTableWitnesses`), holds a copy of the data outside.
 */
function globalTableProblems(id: string, properties: unknown, dataRegion: string): Violation[] {
  const replicas = prop(properties, 'Replicas');
  if (!Array.isArray(replicas) || replicas.length === 0)
    return [
      {
        resource: id,
        message: 'is a DynamoDB global table whose replica regions cannot be read from the template',
      },
    ];
  const outside = [...replicas, ...asList(prop(properties, 'GlobalTableWitnesses'))]
    .map((entry) => prop(entry, 'Region'))
    .filter((region) => !isDataRegion(region, dataRegion))
    .map((region) => render(region) ?? '#{?}')
    .map((region) =>
      region.includes('#{') ? `a region that cannot be resolved from the template (${region})` : region,
    );
  return outside.map((region) => ({
    resource: id,
    message: `is a DynamoDB global table (AWS::DynamoDB::GlobalTable) that replicates to ${region}`,
  }));
}

function globalTables(stage: StageView, dataRegion: string): Violation[] {
  return resourcesOfType(stage, 'AWS::DynamoDB::GlobalTable').flatMap(([id, table]) =>
    globalTableProblems(id, table.Properties, dataRegion),
  );
}

/** RES-002: no DynamoDB global tables or replicas outside the data region. */
export const noGlobalTables: Rule = {
  id: 'RES-002-no-global-tables',
  rationale: 'A global table or replica copies every item, personal data included, into other regions.',
  fixHint:
    'Use AWS::DynamoDB::Table (CDK `Table` without replicationRegions) or a TableV2 without replicas; back up with point-in-time recovery in region.',
  severity: 'error',
  planes: ['data'],
  check: ({ stage, options }) => [
    ...globalTables(stage, options.dataRegion),
    ...resourcesOfType(stage, 'Custom::DynamoDBReplica').map(([id]) => ({
      resource: id,
      message: 'creates a DynamoDB replica in another region (CDK replicationRegions)',
    })),
  ],
};
