/**
 * Personal data at rest: AES-256-GCM encryption, a blind index (HMAC) to find duplicates without
 * decrypting, and masking for responses. Both keys are derived (HKDF) from one master key, so
 * the index key never doubles as the encryption key.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

export interface PiiKeys {
  encryption: Buffer;
  index: Buffer;
}

const FORMAT = 'v1';

/** Derives the keys from a base64 master key of 32 bytes (PII_KEY). */
export function derivePiiKeys(masterKeyBase64: string): PiiKeys {
  const master = Buffer.from(masterKeyBase64, 'base64');
  if (master.length !== 32) throw new Error('PII key must be 32 bytes, base64-encoded');
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32));
  return { encryption: derive('bss pii encryption v1'), index: derive('bss pii blind index v1') };
}

/** Encrypts to `v1.<iv>.<tag>.<ciphertext>` (base64url); a fresh IV every time. */
export function encryptPii(keys: PiiKeys, plaintext: string | Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keys.encryption, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [FORMAT, iv, cipher.getAuthTag(), ciphertext].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

/** Decrypts what encryptPii wrote; throws if it was tampered with or the key is wrong. */
export function decryptPii(keys: PiiKeys, sealed: string): Buffer {
  const [format, iv, tag, ciphertext] = sealed.split('.');
  if (format !== FORMAT || !iv || !tag || ciphertext === undefined) throw new Error('not a sealed PII value');
  const decipher = createDecipheriv('aes-256-gcm', keys.encryption, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
}

/** A deterministic keyed hash of a normalised value (upper case, no spaces or dashes): equal ids, equal index. */
export function blindIndex(keys: PiiKeys, value: string): string {
  const normalised = value.toUpperCase().replace(/[\s-]/g, '');
  return createHmac('sha256', keys.index).update(normalised).digest('hex');
}

/** Masks all but the last `visible` characters: `12345678Z` → `******78Z`. */
export function maskTail(value: string, visible = 3): string {
  if (value.length <= visible) return '*'.repeat(value.length);
  return '*'.repeat(value.length - visible) + value.slice(-visible);
}
