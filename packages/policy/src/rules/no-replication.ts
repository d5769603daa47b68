import { prop, strings } from '../intrinsics.ts';
import type { CfnResource, Rule } from '../types.ts';

/** Resource types that replicate, or properties that make a resource replicate, to other regions. */
const REPLICATION: readonly { type: string; what: string; when: (resource: CfnResource) => boolean }[] = [
  { type: 'AWS::S3::Bucket', what: 'S3 replication', when: (r) => has(r, 'ReplicationConfiguration') },
  { type: 'AWS::S3::MultiRegionAccessPoint', what: 'an S3 Multi-Region Access Point', when: () => true },
  { type: 'AWS::ECR::ReplicationConfiguration', what: 'ECR replication', when: () => true },
  { type: 'AWS::SecretsManager::Secret', what: 'secret replicas', when: (r) => has(r, 'ReplicaRegions') },
  { type: 'AWS::RDS::GlobalCluster', what: 'an Aurora global database', when: () => true },
  {
    type: 'AWS::RDS::DBCluster',
    what: 'a global or replica cluster',
    when: (r) => has(r, 'GlobalClusterIdentifier') || has(r, 'ReplicationSourceIdentifier'),
  },
  { type: 'AWS::RDS::DBInstance', what: 'a cross-region read replica', when: (r) => has(r, 'SourceRegion') },
  {
    type: 'AWS::ElastiCache::GlobalReplicationGroup',
    what: 'an ElastiCache global datastore',
    when: () => true,
  },
  { type: 'AWS::MemoryDB::MultiRegionCluster', what: 'a MemoryDB multi-Region cluster', when: () => true },
  { type: 'AWS::EFS::FileSystem', what: 'EFS replication', when: (r) => has(r, 'ReplicationConfiguration') },
  {
    type: 'AWS::Events::Endpoint',
    what: 'an EventBridge global endpoint (replicates events)',
    when: () => true,
  },
  {
    type: 'AWS::Backup::BackupPlan',
    what: 'backup copy actions',
    when: (r) => [...strings(r.Properties ?? {})].some(({ path }) => path.includes('CopyActions')),
  },
];

function has(resource: CfnResource, property: string): boolean {
  const value = prop(resource.Properties, property);
  return value !== undefined && !(Array.isArray(value) && value.length === 0);
}

/** RES-004: nothing replicates to another region. */
export const noReplication: Rule = {
  id: 'RES-004-no-replication',
  rationale: 'Replication copies data out of the region without passing the egress guard.',
  fixHint:
    'Remove the replication configuration; if a copy is needed, keep it in the data region and prove it (same-region replication cannot be told apart in the template).',
  severity: 'error',
  planes: ['data'],
  check: ({ stage }) =>
    [...stage.resources].flatMap(([id, resource]) =>
      REPLICATION.filter((entry) => entry.type === resource.Type && entry.when(resource)).map((entry) => ({
        resource: id,
        message: `configures ${entry.what}`,
      })),
    ),
};

/** The resource types this rule knows. */
export const replicationTypes: readonly string[] = REPLICATION.map((entry) => entry.type);
