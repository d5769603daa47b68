import { describe, expect, it } from 'vitest';
import { extendLocalResources, LocalResources, ResourceDefinitionError } from '../../src/index.ts';

describe('extendLocalResources', () => {
  it('adds a table role to the defaults', () => {
    // Act
    const resources = extendLocalResources(LocalResources, {
      tables: { windows: { name: 'residency-windows', partitionKey: { name: 'pk', type: 'S' } } },
    });
    // Assess
    expect(resources.tables.windows?.name).toBe('residency-windows');
    expect(resources.tables.vault).toEqual(LocalResources.tables.vault);
  });

  it('accepts a role declared again with the same spec', () => {
    // Act
    const resources = extendLocalResources(LocalResources, {
      tables: { vault: { ...LocalResources.tables.vault! } },
    });
    // Assess
    expect(resources.tables.vault).toEqual(LocalResources.tables.vault);
  });

  it('refuses a role redefined differently', () => {
    // Act
    const extend = () =>
      extendLocalResources(LocalResources, {
        tables: { vault: { name: 'other-vault', partitionKey: { name: 'id', type: 'S' } } },
      });
    // Assess
    expect(extend).toThrow(ResourceDefinitionError);
  });

  it('refuses two roles with one table name', () => {
    // Act
    const extend = () =>
      extendLocalResources(LocalResources, { tables: { copy: { ...LocalResources.tables.audit! } } });
    // Assess
    expect(extend).toThrow(/share the name/);
  });

  it('refuses a table name DynamoDB would refuse', () => {
    // Act
    const extend = () =>
      extendLocalResources(LocalResources, {
        tables: { x: { name: 'ab', partitionKey: { name: 'pk', type: 'S' } } },
      });
    // Assess
    expect(extend).toThrow(ResourceDefinitionError);
  });
});
