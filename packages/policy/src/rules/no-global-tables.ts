import { resourcesOfType } from '../stage.ts';
import type { Rule } from '../types.ts';

/** RES-002: no DynamoDB global tables or replicas. */
export const noGlobalTables: Rule = {
  id: 'RES-002-no-global-tables',
  rationale: 'A global table or replica copies every item, personal data included, into other regions.',
  fixHint:
    'Use AWS::DynamoDB::Table (CDK `Table`, not `TableV2`) without replicationRegions; back up with point-in-time recovery in region.',
  severity: 'error',
  planes: ['data'],
  check: ({ stage }) => [
    ...resourcesOfType(stage, 'AWS::DynamoDB::GlobalTable').map(([id]) => ({
      resource: id,
      message: 'is a DynamoDB global table (AWS::DynamoDB::GlobalTable), which replicates across regions',
    })),
    ...resourcesOfType(stage, 'Custom::DynamoDBReplica').map(([id]) => ({
      resource: id,
      message: 'creates a DynamoDB replica in another region (CDK replicationRegions)',
    })),
  ],
};
