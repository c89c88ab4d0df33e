/**
 * TMF667 documents and their content: uploads sniffed by their bytes, stored encrypted with their
 * SHA-256, read back identical; refusals (415, 413, 400) write nothing; customers see only theirs.
 */
import { createHash, randomUUID } from 'node:crypto';
import zlib from 'node:zlib';
import request from 'supertest';
import { loadConfig } from '../config';
import { decryptPii, derivePiiKeys } from '../domain/pii';
import { bearer, createTestApi, tokenFor, type TestApi } from './helpers/api';

const CUSTOMER = '/tmf-api/customerManagement/v4/customer';
const DOCUMENT = '/tmf-api/document/v4/document';
const MB5 = 5 * 1024 * 1024;

type Doc = Record<string, unknown> & { id: string };

/** A one-page PDF that prints the marker. */
function tinyPdf(marker: string): Buffer {
  const text = `BT /F1 12 Tf 10 20 Td (${marker}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 50] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${text.length} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets = objects.map((body, i) => {
    const at = pdf.length;
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return at;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

/** A 1×1 grey PNG carrying the marker in a tEXt chunk. */
function tinyPng(marker: string): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]); // 1×1, 8-bit greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('tEXt', Buffer.from(`Comment\0${marker}`, 'latin1')),
    chunk('IDAT', zlib.deflateSync(Buffer.from([0, 0x80]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A baseline 1×1 grey JPEG (one 8×8 block, DC only) carrying the marker in a comment. */
function tinyJpeg(marker: string): Buffer {
  const segment = (code: number, data: Buffer) => {
    const head = Buffer.from([0xff, code, 0, 0]);
    head.writeUInt16BE(data.length + 2, 2);
    return Buffer.concat([head, data]);
  };
  const oneSymbolTable = (tableClassAndId: number) => Buffer.from([tableClassAndId, 1, ...Array(15).fill(0), 0]);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, Buffer.from([...Buffer.from('JFIF\0', 'latin1'), 1, 1, 0, 0, 1, 0, 1, 0, 0])),
    segment(0xfe, Buffer.from(marker, 'latin1')),
    segment(0xdb, Buffer.from([0, ...Array(64).fill(1)])),
    segment(0xc0, Buffer.from([8, 0, 1, 0, 1, 1, 1, 0x11, 0])),
    segment(0xc4, oneSymbolTable(0x00)),
    segment(0xc4, oneSymbolTable(0x10)),
    segment(0xda, Buffer.from([1, 1, 0x00, 0, 63, 0])),
    Buffer.from([0x3f]), // DC difference 0, then end of block
    Buffer.from([0xff, 0xd9]),
  ]);
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Reads any response body as bytes (superagent hands the parser the raw response stream). */
function binary(res: unknown, done: (err: Error | null, body: Buffer) => void) {
  const stream = res as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

describe('TMF667 documents and their content', () => {
  let api: TestApi;
  let agent: Record<string, string>;
  const keys = derivePiiKeys(loadConfig().piiKey);

  const mentioning = async (table: string, column: string, marker: string) =>
    Number((await api.knex(table).whereRaw(`strpos(${column}::text, ?) > 0`, [marker]).count({ n: '*' }))[0].n);
  const contentRow = (id: string) => api.knex('crm_document_content').where({ document_id: id }).first();
  const changeEvents = async (id: string) =>
    Number(
      (await api.knex('event_outbox').where({ event_type: 'DocumentAttributeValueChangeEvent' }).whereRaw("payload->'event'->'document'->>'id' = ?", [id]).count({ n: '*' }))[0].n,
    );

  const createCustomer = async () =>
    (await request(api.app).post(CUSTOMER).set(agent).send({ name: `Doc owner ${randomUUID()}`, engagedParty: { id: randomUUID(), '@referredType': 'Individual' } }).expect(201))
      .body as Doc;
  const createDocument = async (customerId: string, extra: Record<string, unknown> = {}) =>
    (
      await request(api.app)
        .post(DOCUMENT)
        .set(agent)
        .send({ name: 'National id card', documentType: 'nationalIdentityCard', relatedParty: [{ id: customerId, role: 'customer', '@referredType': 'Customer' }], ...extra })
        .expect(201)
    ).body as Doc;
  const upload = (id: string, bytes: Buffer, contentType: string, headers = agent) =>
    request(api.app).put(`${DOCUMENT}/${id}/content`).set(headers).set('Content-Type', contentType).send(bytes);
  const download = (id: string, headers = agent) => request(api.app).get(`${DOCUMENT}/${id}/content`).set(headers).buffer(true).parse(binary);

  beforeAll(async () => {
    api = await createTestApi();
    agent = bearer(await tokenFor('agent'));
  });

  afterAll(async () => {
    await api.close();
  });

  it('creates the metadata with the server-filled attributes', async () => {
    const customer = await createCustomer();
    const doc = await createDocument(customer.id);
    expect(doc).toEqual(
      expect.objectContaining({
        href: `http://bss.test${DOCUMENT}/${doc.id}`,
        '@type': 'Document',
        lifecycleState: 'Created',
        version: '1.0',
        creationDate: expect.any(String),
        lastUpdate: expect.any(String),
      }),
    );
    expect(doc.binaryAttachment).toBeUndefined();
    await request(api.app).get(`${DOCUMENT}/${doc.id}/content`).set(agent).expect(404);
  });

  it.each([
    ['PDF', tinyPdf, 'application/pdf', 'application/pdf'],
    ['PNG', tinyPng, 'image/png', 'image/png'],
    // The bytes decide, not the label.
    ['JPEG sent as octet-stream', tinyJpeg, 'application/octet-stream', 'image/jpeg'],
    ['PNG labelled as a PDF', tinyPng, 'application/pdf', 'image/png'],
  ])('stores a %s encrypted and gives it back byte for byte', async (_what, make, label, mimeType) => {
    const customer = await createCustomer();
    const doc = await createDocument(customer.id);
    const marker = `MARKER-${randomUUID()}`;
    const bytes = make(marker);

    const res = await upload(doc.id, bytes, label).expect(201);
    const url = `http://bss.test${DOCUMENT}/${doc.id}/content`;
    expect(res.body.binaryAttachment).toEqual([
      { attachmentType: 'identityDocumentScan', mimeType, size: { amount: bytes.length, units: 'bytes' }, url, sha256: sha256(bytes), '@type': 'AttachmentRefOrValue' },
    ]);
    expect((await request(api.app).get(`${DOCUMENT}/${doc.id}`).set(agent).expect(200)).body).toEqual(res.body);

    const back = await download(doc.id).expect(200);
    expect(back.headers['content-type']).toBe(mimeType);
    expect(back.headers['x-content-type-options']).toBe('nosniff');
    expect(Buffer.compare(back.body as Buffer, bytes)).toBe(0);

    // At rest: only ciphertext, which our key opens to the very bytes.
    const row = await contentRow(doc.id);
    expect(row).toEqual(expect.objectContaining({ sha256: sha256(bytes), mime: mimeType, size: bytes.length }));
    expect(Buffer.compare(decryptPii(keys, row.sealed), bytes)).toBe(0);
    expect(row.sealed).not.toContain(bytes.toString('base64url').slice(0, 16));
    expect(await mentioning('crm_document_content', 'crm_document_content', marker)).toBe(0);
    expect(await mentioning('crm_document', 'body', marker)).toBe(0);
    expect(await mentioning('event_outbox', 'payload', marker)).toBe(0);
    expect(await changeEvents(doc.id)).toBe(1);
  });

  it('replaces the content (200), keeping the attachment type given first', async () => {
    const customer = await createCustomer();
    const doc = await createDocument(customer.id, { binaryAttachment: [{ name: 'front side', description: 'declared before the upload' }] });
    const first = await request(api.app)
      .put(`${DOCUMENT}/${doc.id}/content?attachmentType=proofOfAddress`)
      .set(agent)
      .set('Content-Type', 'application/pdf')
      .send(tinyPdf('first'))
      .expect(201);
    expect(first.body.binaryAttachment).toEqual([expect.objectContaining({ name: 'front side', description: 'declared before the upload', attachmentType: 'proofOfAddress' })]);

    const png = tinyPng('second');
    const second = await upload(doc.id, png, 'image/png').expect(200);
    expect(second.body.binaryAttachment).toEqual([
      expect.objectContaining({ name: 'front side', attachmentType: 'proofOfAddress', mimeType: 'image/png', sha256: sha256(png), size: { amount: png.length, units: 'bytes' } }),
    ]);
    expect(Buffer.compare((await download(doc.id).expect(200)).body as Buffer, png)).toBe(0);
  });

  describe('refusals write nothing', () => {
    const exe = (marker: string) => Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.from(`This program cannot be run in DOS mode. ${marker}`)]);

    it.each([
      ['an executable labelled application/pdf', exe, 'application/pdf', 415],
      ['text labelled application/pdf', (m: string) => Buffer.from(`just text, named scan.pdf ${m}`), 'application/pdf', 415],
      ['text labelled image/jpeg', (m: string) => Buffer.from(`GIF89a ${m}`), 'image/jpeg', 415],
      ['a PDF sent as text/plain', (m: string) => tinyPdf(m), 'text/plain', 415],
      ['a PDF sent as JSON', (m: string) => tinyPdf(m), 'application/json', 415],
      ['an empty body', () => Buffer.alloc(0), 'application/pdf', 400],
      ['5 MB + 1 byte', (m: string) => Buffer.concat([tinyPdf(m), Buffer.alloc(MB5 + 1 - tinyPdf(m).length, 0x20)]), 'application/pdf', 413],
    ])('%s', async (_what, make, label, status) => {
      const customer = await createCustomer();
      const doc = await createDocument(customer.id);
      const marker = `REFUSED-${randomUUID()}`;
      const res = await upload(doc.id, make(marker), label);
      expect(res.status).toBe(status);
      expect(res.body).toEqual(expect.objectContaining({ code: String(status), status: String(status), reason: expect.any(String), message: expect.any(String) }));
      expect(await contentRow(doc.id)).toBeUndefined();
      expect((await request(api.app).get(`${DOCUMENT}/${doc.id}`).set(agent).expect(200)).body).toEqual(doc);
      expect(await changeEvents(doc.id)).toBe(0);
    });

    it('keeps the previous content when a replacement is refused', async () => {
      const customer = await createCustomer();
      const doc = await createDocument(customer.id);
      const pdf = tinyPdf('kept');
      const stored = (await upload(doc.id, pdf, 'application/pdf').expect(201)).body;
      await upload(doc.id, exe('x'), 'application/pdf').expect(415);
      expect(Buffer.compare((await download(doc.id).expect(200)).body as Buffer, pdf)).toBe(0);
      expect((await request(api.app).get(`${DOCUMENT}/${doc.id}`).set(agent).expect(200)).body).toEqual(stored);
    });

    it('accepts exactly 5 MB', async () => {
      const customer = await createCustomer();
      const doc = await createDocument(customer.id);
      const big = Buffer.concat([tinyPdf('big'), Buffer.alloc(MB5 - tinyPdf('big').length, 0x20)]);
      const res = await upload(doc.id, big, 'application/pdf').expect(201);
      expect(res.body.binaryAttachment[0].size).toEqual({ amount: MB5, units: 'bytes' });
      expect(res.body.binaryAttachment[0].sha256).toBe(sha256(big));
    });
  });

  it('keeps the content attachment the server wrote through metadata updates, and deletes the content with the document', async () => {
    const customer = await createCustomer();
    const doc = await createDocument(customer.id);
    const pdf = tinyPdf('owned');
    const stored = (await upload(doc.id, pdf, 'application/pdf').expect(201)).body;
    const attachment = stored.binaryAttachment[0];

    const forged = await request(api.app)
      .patch(`${DOCUMENT}/${doc.id}`)
      .set(agent)
      .send({ lifecycleState: 'Verified', binaryAttachment: [{ ...attachment, sha256: '0'.repeat(64), size: { amount: 1, units: 'bytes' } }, { name: 'note', url: 'https://example.com/x' }] })
      .expect(200);
    expect(forged.body.lifecycleState).toBe('Verified');
    expect(forged.body.binaryAttachment).toEqual([attachment, { name: 'note', url: 'https://example.com/x' }]);
    expect((await request(api.app).patch(`${DOCUMENT}/${doc.id}`).set(agent).send({ binaryAttachment: null }).expect(200)).body.binaryAttachment).toEqual([attachment]);

    // A new document cannot point at another one's content.
    const other = await createDocument(customer.id, { binaryAttachment: [attachment] });
    expect(other.binaryAttachment).toEqual([]);

    await request(api.app).delete(`${DOCUMENT}/${doc.id}`).set(agent).expect(204);
    expect(await contentRow(doc.id)).toBeUndefined();
    await request(api.app).get(`${DOCUMENT}/${doc.id}/content`).set(agent).expect(404);
  });

  it('shows a customer only its own documents and content', async () => {
    const [mine, other] = [await createCustomer(), await createCustomer()];
    const me = bearer(await tokenFor('customer', { customerId: mine.id }));
    const own = await createDocument(mine.id);
    // The owner may be named by relatedEntity instead.
    const theirs = await createDocument(other.id, { relatedParty: [], relatedEntity: { id: other.id, role: 'owner', '@referredType': 'Customer' } });
    const pdf = tinyPdf('mine');
    await upload(own.id, pdf, 'application/pdf').expect(201);
    await upload(theirs.id, tinyPdf('theirs'), 'application/pdf').expect(201);

    expect(Buffer.compare((await download(own.id, me).expect(200)).body as Buffer, pdf)).toBe(0);
    const refused = await download(theirs.id, me).expect(404);
    expect(JSON.parse((refused.body as Buffer).toString())).toEqual(expect.objectContaining({ code: '404' }));
    await request(api.app).get(`${DOCUMENT}/${theirs.id}`).set(me).expect(404);
    expect((await request(api.app).get(DOCUMENT).set(me).expect(200)).body.map((d: Doc) => d.id)).toEqual([own.id]);

    // Customers upload nothing here (the registration API does it for them).
    await upload(own.id, pdf, 'application/pdf', me).expect(403);
    await upload(theirs.id, pdf, 'application/pdf', me).expect(403);
    expect(Buffer.compare((await download(theirs.id).expect(200)).body as Buffer, tinyPdf('theirs'))).toBe(0);

    await request(api.app).get(`${DOCUMENT}/${randomUUID()}/content`).set(agent).expect(404);
    await request(api.app).get(`${DOCUMENT}/not-a-uuid/content`).set(agent).expect(404);
    await upload(randomUUID(), pdf, 'application/pdf').expect(404);
    await request(api.app).get(`${DOCUMENT}/${own.id}/content`).expect(401);
  });
});
