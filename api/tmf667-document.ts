/**
 * TMF667 Document Management v4 (`/tmf-api/document/v4/document`): the metadata through the TMF
 * machinery, and the content beside it:
 *
 * - `PUT .../document/{id}/content` with the raw file (Content-Type application/pdf, image/png,
 *   image/jpeg or application/octet-stream; at most 5 MB). What the file is is decided by its
 *   bytes, not by the header or a name: anything but a PDF, PNG or JPEG → 415, above 5 MB → 413,
 *   empty → 400, and nothing is written. The bytes are stored encrypted (db/documents.ts) and the
 *   document's `binaryAttachment` describes them: attachmentType (`?attachmentType=`, else the one
 *   it had, else identityDocumentScan), mimeType, size, url of the content, and our `sha256`.
 *   201 with the document on the first upload, 200 on a replacement.
 * - `GET .../document/{id}/content` → the bytes as uploaded.
 *
 * Owner: the customer named in `relatedParty`, or in `relatedEntity` (api/tmf629-customer.ts).
 */
import express, { type Request } from 'express';
import { CRM_TABLES } from '../db/crm';
import { DOCUMENT_API, documentModel } from '../db/crm-models';
import { attachDocumentContent, MAX_DOCUMENT_BYTES, readDocumentContent } from '../db/documents';
import { findResource, type OwnerScope } from '../db/tmf-resources';
import { extensionOf } from '../domain/documents/sniff';
import { requireRole } from './auth';
import { binaryContent, commonErrors, errorResponse, idParam, json, type OpenApiPart } from './openapi';
import { documentSchema } from './schemas/tmf667';
import { CRM_ACCESS } from './tmf629-customer';
import type { CrmApiDeps } from './tmf632-party';
import { badRequest, notFound, TmfError } from './tmf/errors';
import { TmfApi, type TmfResourceSpec } from './tmf/resource';

/** Content-Types the upload routes read; the bytes decide what the file really is. */
export const UPLOAD_TYPES = ['application/pdf', 'image/png', 'image/jpeg', 'application/octet-stream'];
const TABLE = CRM_TABLES.document;

/** The document resource; content URLs are under `publicUrl` (db/crm-models.ts). */
export function documentSpec(publicUrl: string): TmfResourceSpec {
  return { ...documentModel(publicUrl), schema: documentSchema, access: CRM_ACCESS };
}

/** As the TMF machinery scopes a customer-only caller (staff see everything). */
function scopeFor(req: Request): OwnerScope {
  const principal = req.principal;
  return principal && principal.roles.every((r) => r === 'customer') ? { customerId: principal.customerId ?? '' } : {};
}

/** Builds the TMF667 router, with the content routes. */
export function documentApi(deps: CrmApiDeps): TmfApi {
  const keys = deps.piiKeys;
  const { knex, clock, publicUrl } = deps;
  const api = new TmfApi(DOCUMENT_API, deps).resource(documentSpec(publicUrl));

  api.router.put(
    '/document/:id/content',
    requireRole(...CRM_ACCESS.write),
    express.raw({ type: UPLOAD_TYPES, limit: MAX_DOCUMENT_BYTES }),
    async (req, res) => {
      const bytes: unknown = req.body;
      if (!Buffer.isBuffer(bytes)) {
        // req.is is null without a body, false for a Content-Type the route does not read.
        if (req.is(UPLOAD_TYPES) === false) {
          throw new TmfError(415, 'Unsupported Media Type', `send the file as one of: ${UPLOAD_TYPES.join(', ')}`);
        }
        throw badRequest('the document content is empty');
      }
      const attachmentType = req.query.attachmentType;
      if (attachmentType !== undefined && (typeof attachmentType !== 'string' || !/^[A-Za-z0-9 _.-]{1,100}$/.test(attachmentType))) {
        throw badRequest('attachmentType: a name of at most 100 letters, digits, spaces, _ . or -');
      }
      const id = String(req.params.id);
      const now = clock.now();
      const { document, created } = await knex.transaction(async (trx) => {
        const before = await findResource(trx, TABLE, id, { forUpdate: true, scope: scopeFor(req) });
        if (!before) throw notFound(`Document ${id}`);
        return attachDocumentContent(trx, { keys, publicUrl, document: before, bytes, attachmentType, now });
      });
      res.status(created ? 201 : 200).json(document);
    },
  );

  api.router.get('/document/:id/content', requireRole(...CRM_ACCESS.read), async (req, res) => {
    const id = String(req.params.id);
    if (!(await findResource(knex, TABLE, id, { scope: scopeFor(req) }))) throw notFound(`Document ${id}`);
    const content = await readDocumentContent(knex, keys, id);
    if (!content) throw notFound(`content of Document ${id}`);
    res.status(200);
    res.setHeader('Content-Type', content.mimeType);
    res.setHeader('Content-Length', String(content.bytes.length));
    res.setHeader('Content-Disposition', `attachment; filename="${id}.${extensionOf(content.mimeType)}"`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('ETag', `"${content.sha256}"`);
    res.end(content.bytes);
  });

  return api;
}

/** The OpenAPI description of the content routes beside the TMF667 resource. */
export function documentContentOpenApi(): OpenApiPart {
  const tags = [`${DOCUMENT_API} document`];
  const notFoundResponse = errorResponse('No such document, or no content yet');
  return {
    paths: {
      [`/tmf-api/${DOCUMENT_API}/v4/document/{id}/content`]: {
        put: {
          tags,
          operationId: 'putDocumentContent',
          description: 'Uploads the file: pdf, png or jpeg by content, at most 5 MB; stored encrypted',
          parameters: [idParam, { name: 'attachmentType', in: 'query', required: false, schema: { type: 'string', maxLength: 100 } }],
          requestBody: { required: true, content: binaryContent(UPLOAD_TYPES) },
          responses: {
            '200': { description: 'Content replaced', content: json({ $ref: '#/components/schemas/Document' }) },
            '201': { description: 'First content stored', content: json({ $ref: '#/components/schemas/Document' }) },
            ...commonErrors,
            '404': notFoundResponse,
            '413': errorResponse('Larger than 5 MB'),
            '415': errorResponse('Not a pdf, png or jpeg'),
          },
        },
        get: {
          tags,
          operationId: 'getDocumentContent',
          parameters: [idParam],
          responses: { '200': { description: 'The file as uploaded', content: binaryContent(['application/pdf', 'image/png', 'image/jpeg']) }, ...commonErrors, '404': notFoundResponse },
        },
      },
    },
  };
}
