import { blindIndex, decryptPii, derivePiiKeys, encryptPii, maskTail } from './pii';

const keys = derivePiiKeys(Buffer.alloc(32, 7).toString('base64'));
const otherKeys = derivePiiKeys(Buffer.alloc(32, 8).toString('base64'));

describe('PII protection', () => {
  it('round-trips, never shows the clear text, and uses a fresh IV each time', () => {
    const a = encryptPii(keys, '12345678Z');
    const b = encryptPii(keys, '12345678Z');
    expect(a).not.toContain('12345678Z');
    expect(a).not.toBe(b);
    expect(a.startsWith('v1.')).toBe(true);
    expect(decryptPii(keys, a).toString()).toBe('12345678Z');
  });

  it('refuses a tampered value or the wrong key', () => {
    const sealed = encryptPii(keys, 'secret');
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[3], 'base64url');
    flipped[0] ^= 1;
    expect(() => decryptPii(keys, [...parts.slice(0, 3), flipped.toString('base64url')].join('.'))).toThrow();
    expect(() => decryptPii(otherKeys, sealed)).toThrow();
    expect(() => decryptPii(keys, 'plain text')).toThrow('not a sealed PII value');
  });

  it('indexes equal ids equally, whatever the spacing or case, and differently per key', () => {
    expect(blindIndex(keys, '12345678-z')).toBe(blindIndex(keys, '12345678Z'));
    expect(blindIndex(keys, '12345678Z')).not.toBe(blindIndex(keys, '12345679Z'));
    expect(blindIndex(keys, '12345678Z')).not.toBe(blindIndex(otherKeys, '12345678Z'));
    expect(blindIndex(keys, '12345678Z')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('masks all but the last three characters', () => {
    expect(maskTail('12345678Z')).toBe('******78Z');
    expect(maskTail('AB')).toBe('**');
    expect(maskTail('X1234567L', 4)).toBe('*****567L');
  });

  it('wants a 32-byte master key', () => {
    expect(() => derivePiiKeys(Buffer.alloc(16).toString('base64'))).toThrow('32 bytes');
  });
});
