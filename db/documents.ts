/**
 * The content of TMF667 documents (crm_document_content): the bytes sealed with AES-256-GCM, their
 * SHA-256 and the type sniffed from them. Also used by the registration API, which receives
 * identity scans inside its own requests.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { TmfError } from '../domain/errors';
import { sniffMimeType, type DocumentMimeType } from '../domain/documents/sniff';
import { decryptPii, encryptPii, type PiiKeys } from '../domain/pii';
import type { Db } from './knex';
import { publishTmfEvent } from './publish-event';
import { replaceResource, resourceHref, type TmfDocument } from './tmf-resources';

/** The largest content accepted: 5 MB (5 × 1024 × 1024 bytes, as express's `5mb`). */
export const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;

const CONTENT = 'crm_document_content';
const DOCUMENTS = 'crm_document';

/** The attachment type recorded when the upload names none. */
export const DEFAULT_ATTACHMENT_TYPE = 'identityDocumentScan';

/** Where a document's content is read and written: `<document href>/content`. */
export function documentContentUrl(publicUrl: string, documentId: string): string {
  return `${resourceHref(publicUrl, 'document', 'document', documentId)}/content`;
}

/** Whether an attachment is the description of some document's uploaded content. */
export function isContentAttachment(publicUrl: string, attachment: Record<string, unknown>): boolean {
  const url = attachment.url;
  return typeof url === 'string' && url.startsWith(resourceHref(publicUrl, 'document', 'document', '')) && url.endsWith('/content');
}

export interface StoredDocumentContent {
  mimeType: DocumentMimeType;
  /** Bytes. */
  size: number;
  /** Hex SHA-256 of the clear bytes. */
  sha256: string;
}

/**
 * Checks and stores (or replaces) the content of a document: 400 if empty, 413 above
 * MAX_DOCUMENT_BYTES, 415 unless the bytes are a PDF, PNG or JPEG (sniffed, whatever the client
 * said); nothing is written when it throws. The document row must exist by the time the
 * transaction commits. Pass the transaction that also updates the document's metadata.
 */
export async function storeDocumentContent(args: { knex: Db; keys: PiiKeys; documentId: string; bytes: Buffer }): Promise<StoredDocumentContent> {
  const { knex, keys, documentId, bytes } = args;
  if (bytes.length === 0) throw new TmfError(400, 'Bad Request', 'the document content is empty');
  if (bytes.length > MAX_DOCUMENT_BYTES) {
    throw new TmfError(413, 'Payload Too Large', `the document content is larger than ${MAX_DOCUMENT_BYTES} bytes`);
  }
  const mimeType = sniffMimeType(bytes);
  if (!mimeType) throw new TmfError(415, 'Unsupported Media Type', 'the document content must be a PDF, PNG or JPEG file');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const row = { document_id: documentId, sealed: encryptPii(keys, bytes), sha256, mime: mimeType, size: bytes.length };
  await knex(CONTENT)
    .insert(row)
    .onConflict('document_id')
    .merge({ ...row, updated_at: knex.fn.now() });
  return { mimeType, size: bytes.length, sha256 };
}

/** The clear content of a document, or undefined if none was uploaded. */
export async function readDocumentContent(db: Db, keys: PiiKeys, documentId: string): Promise<(StoredDocumentContent & { bytes: Buffer }) | undefined> {
  const row = (await db(CONTENT).where({ document_id: documentId }).first()) as
    | { sealed: string; sha256: string; mime: DocumentMimeType; size: number }
    | undefined;
  if (!row) return undefined;
  return { bytes: decryptPii(keys, row.sealed), mimeType: row.mime, size: row.size, sha256: row.sha256 };
}

/** Whether a document has content. */
export async function hasDocumentContent(db: Db, documentId: string): Promise<boolean> {
  return !!(await db(CONTENT).where({ document_id: documentId }).first('document_id'));
}

/** The TMF AttachmentRefOrValue describing stored content (with our extension `sha256`). */
export function contentAttachment(url: string, stored: StoredDocumentContent, attachmentType: string): Record<string, unknown> {
  return {
    attachmentType,
    mimeType: stored.mimeType,
    size: { amount: stored.size, units: 'bytes' },
    url,
    sha256: stored.sha256,
    '@type': 'AttachmentRefOrValue',
  };
}

type Attachment = Record<string, unknown>;

/**
 * Stores the content of a document (read beforehand with a row lock, in this transaction) and
 * records it in the document's `binaryAttachment`: the entry of its content, else the first entry
 * the client declared without a url, else a new one; attachmentType as given, else the one the
 * entry had, else DEFAULT_ATTACHMENT_TYPE. Publishes the AttributeValueChangeEvent. Throws as
 * storeDocumentContent does, writing nothing. `created`: the document had no content before.
 */
export async function attachDocumentContent(
  trx: Knex.Transaction,
  args: { keys: PiiKeys; publicUrl: string; document: TmfDocument; bytes: Buffer; attachmentType?: string; now: Date },
): Promise<{ document: TmfDocument; content: StoredDocumentContent; created: boolean }> {
  const { document: before, now } = args;
  const created = !(await hasDocumentContent(trx, before.id));
  const content = await storeDocumentContent({ knex: trx, keys: args.keys, documentId: before.id, bytes: args.bytes });
  const url = documentContentUrl(args.publicUrl, before.id);
  const list: Attachment[] = Array.isArray(before.binaryAttachment) ? [...(before.binaryAttachment as Attachment[])] : [];
  let at = list.findIndex((a) => a.url === url);
  if (at < 0) at = list.findIndex((a) => a.url === undefined);
  const previous = at >= 0 ? list[at] : {};
  const type = args.attachmentType ?? (typeof previous.attachmentType === 'string' ? previous.attachmentType : DEFAULT_ATTACHMENT_TYPE);
  const attachment = { ...previous, ...contentAttachment(url, content, type) };
  if (at >= 0) list[at] = attachment;
  else list.push(attachment);
  const document: TmfDocument = { ...before, binaryAttachment: list, lastUpdate: now.toISOString() };
  await replaceResource(trx, DOCUMENTS, document);
  await publishTmfEvent(trx, { apiName: 'document', resourceName: 'document', type: 'Document', kind: 'AttributeValueChangeEvent', resource: document, now });
  return { document, content, created };
}
