/** The served OpenAPI document is valid OpenAPI 3.1, checked by an independent schema validator. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { bearer, createTestApi, tokenFor, type TestApi } from './helpers/api';

describe('GET /openapi.json', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await createTestApi();
  });
  afterAll(() => api.close());

  it('validates against the OpenAPI 3.1 JSON schema', async () => {
    const res = await request(api.app).get('/openapi.json').set(bearer(await tokenFor('agent'))).expect(200);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-')), 'openapi.json');
    fs.writeFileSync(file, JSON.stringify(res.body));
    // The validator is ESM-only; its CLI runs it outside jest's module system.
    const cli = path.join(__dirname, '..', 'node_modules', '.bin', 'validate-api');
    const verdict = JSON.parse(execFileSync(cli, [file], { encoding: 'utf8' })) as { valid: boolean; errors?: unknown };
    expect(verdict).toEqual({ valid: true });
  });
});
