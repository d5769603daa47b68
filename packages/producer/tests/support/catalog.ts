import { defineCatalog, defineEvent, identifier, publicField, sensitive } from '@residency/core';
import { z } from 'zod';

/** A second catalog, to show the producer is generic: documents of any size up to 3 MB, and a subject-less ping. */
export const archiveDefinition = defineCatalog({
  name: 'archive',
  events: [
    defineEvent({
      type: 'document.archived',
      schemaVersion: 2,
      fields: {
        ownerId: identifier(z.string().min(1), {
          kind: 'owner',
          egress: 'token',
          normalizer: 'opaque',
          subject: true,
        }),
        body: sensitive(z.string().max(3_000_000)),
        format: publicField(z.enum(['pdf', 'txt'])),
      },
    }),
    defineEvent({
      type: 'archive.pinged',
      schemaVersion: 1,
      fields: { note: publicField(z.string().max(16)) },
    }),
  ],
});
