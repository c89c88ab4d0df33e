/**
 * What a file is, decided by its first bytes (magic numbers), never by the name or the declared
 * Content-Type: only PDF, PNG and JPEG are accepted as document content.
 */
export const DOCUMENT_MIME_TYPES = ['application/pdf', 'image/png', 'image/jpeg'] as const;
export type DocumentMimeType = (typeof DOCUMENT_MIME_TYPES)[number];

const SIGNATURES: Array<{ mimeType: DocumentMimeType; magic: Buffer }> = [
  { mimeType: 'application/pdf', magic: Buffer.from('%PDF-', 'latin1') },
  { mimeType: 'image/png', magic: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { mimeType: 'image/jpeg', magic: Buffer.from([0xff, 0xd8, 0xff]) },
];

/** The type of the content, or undefined if it is none we accept. */
export function sniffMimeType(bytes: Uint8Array): DocumentMimeType | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 8));
  return SIGNATURES.find(({ magic }) => head.length >= magic.length && head.subarray(0, magic.length).equals(magic))?.mimeType;
}

/** The usual file extension of an accepted type. */
export function extensionOf(mimeType: DocumentMimeType): string {
  return { 'application/pdf': 'pdf', 'image/png': 'png', 'image/jpeg': 'jpg' }[mimeType];
}
