/** Secrets of the embedded default, generated once into .data/secrets.json (mode 0600). */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface LocalSecrets {
  jwtSecret: string;
  postgresPassword: string;
  /** Master key for personal data at rest (base64, 32 bytes). */
  piiKey: string;
}

export function loadOrCreateSecrets(dataDir: string): LocalSecrets {
  const file = path.join(dataDir, 'secrets.json');
  const existing: Partial<LocalSecrets> = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  // A secret added by a later version is generated once and kept; existing ones never change.
  const secrets: LocalSecrets = {
    jwtSecret: existing.jwtSecret ?? randomBytes(32).toString('base64url'),
    postgresPassword: existing.postgresPassword ?? randomBytes(18).toString('base64url'),
    piiKey: existing.piiKey ?? randomBytes(32).toString('base64'),
  };
  if (Object.keys(existing).length !== Object.keys(secrets).length) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets;
}
