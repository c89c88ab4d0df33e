/**
 * TMF667 Document Management v4: a document's metadata as clients write it (the spec makes nothing
 * mandatory). Its content (an identity scan, a signed contract) is not part of the JSON: it is
 * uploaded to `PUT .../document/{id}/content`, and the server then describes it in
 * `binaryAttachment` (the spec's name for a document's attachments) with our extension `sha256`,
 * the SHA-256 (hex) of the bytes.
 */
import { z } from 'zod';
import { dateTime, entityRef, tmfBase } from './common';
import { attachmentRefOrValue, characteristic, relatedEntity, relatedParty } from './tmf632';

export const documentSchema = z.object({
  ...tmfBase,
  name: z.string().optional(),
  description: z.string().optional(),
  documentType: z.string().optional(),
  lifecycleState: z.string().optional(),
  version: z.string().optional(),
  creationDate: dateTime.optional(),
  lastUpdate: dateTime.optional(),
  binaryAttachment: z.array(attachmentRefOrValue.extend({ sha256: z.string().optional() })).optional(),
  category: z.array(entityRef).optional(),
  characteristic: z.array(characteristic).optional(),
  documentRelationship: z.array(entityRef).optional(),
  documentSpecification: z
    .object({ id: z.string().optional(), href: z.string().optional(), URL: z.string().optional(), name: z.string().optional(), version: z.string().optional(), ...tmfBase })
    .loose()
    .optional(),
  relatedEntity: relatedEntity.optional(),
  relatedParty: z.array(relatedParty).optional(),
});
