import { extensionOf, sniffMimeType } from './sniff';

const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('sniffMimeType', () => {
  it('recognises PDF, PNG and JPEG by their first bytes', () => {
    expect(sniffMimeType(bytes('%PDF-1.7\n%âãÏÓ\n'))).toBe('application/pdf');
    expect(sniffMimeType(bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13], 'IHDR'))).toBe('image/png');
    expect(sniffMimeType(bytes([0xff, 0xd8, 0xff, 0xe0, 0, 16], 'JFIF'))).toBe('image/jpeg');
    expect(sniffMimeType(bytes([0xff, 0xd8, 0xff, 0xdb]))).toBe('image/jpeg');
  });

  it('refuses anything else, whatever it claims to be', () => {
    expect(sniffMimeType(bytes('MZ\x90\x00', [3, 0, 0, 0]))).toBeUndefined(); // a Windows executable
    expect(sniffMimeType(bytes([0x7f], 'ELF'))).toBeUndefined();
    expect(sniffMimeType(bytes('just some text, named scan.pdf'))).toBeUndefined();
    expect(sniffMimeType(bytes(' %PDF-1.4'))).toBeUndefined(); // the signature must come first
    expect(sniffMimeType(bytes('GIF89a'))).toBeUndefined();
    expect(sniffMimeType(bytes('PK', [3, 4]))).toBeUndefined(); // zip (docx, ...)
  });

  it('refuses truncated signatures and empty content', () => {
    expect(sniffMimeType(Buffer.alloc(0))).toBeUndefined();
    expect(sniffMimeType(bytes('%PDF'))).toBeUndefined();
    expect(sniffMimeType(bytes([0x89, 0x50, 0x4e, 0x47]))).toBeUndefined();
    expect(sniffMimeType(bytes([0xff, 0xd8]))).toBeUndefined();
  });

  it('reads a view into a larger buffer from its own start', () => {
    const whole = bytes('junk', '%PDF-1.4');
    expect(sniffMimeType(whole.subarray(4))).toBe('application/pdf');
    expect(sniffMimeType(new Uint8Array(whole.buffer, whole.byteOffset, 4))).toBeUndefined();
  });

  it('names the file extension', () => {
    expect([extensionOf('application/pdf'), extensionOf('image/png'), extensionOf('image/jpeg')]).toEqual(['pdf', 'png', 'jpg']);
  });
});
