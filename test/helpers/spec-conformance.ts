/**
 * A conformance check of a TMF API against its v4 swagger (test/spec/TMFxxx, copied unmodified),
 * for the APIs whose TM Forum kit is not vendored. It checks what the kits check, in the same way:
 * POST → 201 and the resource; GET list and GET by id → 200 with every element of every response
 * valid against the swagger's response schema (mandatory attributes present, types right, seed
 * data included); `?fields=x` gives x plus id and href; `?attr=value` equality filters; an unknown
 * id → 404 with a valid Error; PATCH → 200 with the change; DELETE → 204 then 404; the hub. A
 * method the API refuses on purpose must answer 405, and only where the swagger lists 405 for it.
 * Where an API departs from the specification on purpose, the departure is declared on the
 * resource with its reason (`refused`, `needs`, `rewrites`, `beforeDelete`) and checked as such,
 * so every one of them is listed in the test file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { bearer, createTestApi, testTaskQueue, tokenFor, type TestApi } from './api';

type Json = Record<string, unknown>;
type Method = 'get' | 'post' | 'patch' | 'delete';

interface SwaggerOperation {
  responses: Record<string, { schema?: Json }>;
}

/** A swagger 2.0 document, as far as the check reads it. */
export interface Swagger {
  paths: Record<string, Partial<Record<Method, SwaggerOperation>>>;
  definitions: Record<string, Json>;
}

// An absolute URI, so that refs resolve from any schema compiled against it.
const SPEC_ID = 'urn:tmf:swagger';
const swaggers = new Map<string, { swagger: Swagger; ajv: Ajv }>();
const validators = new Map<string, ValidateFunction>();

/** Loads test/spec/<file> and compiles its definitions (draft-04, the dialect of swagger 2.0). */
export function loadSwagger(file: string): { swagger: Swagger; ajv: Ajv } {
  const cached = swaggers.get(file);
  if (cached) return cached;
  const swagger = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'spec', file), 'utf8')) as Swagger;
  // strict off: swagger adds keywords JSON Schema does not know (discriminator, example, x-*).
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  // Formats swagger 2.0 adds (byte: base64 text, as some specs also spell it).
  for (const name of ['byte', 'base64']) ajv.addFormat(name, /^[A-Za-z0-9+/]*={0,2}$/);
  ajv.addSchema({ id: SPEC_ID, definitions: swagger.definitions });
  const loaded = { swagger, ajv };
  swaggers.set(file, loaded);
  return loaded;
}

/** The response schema the swagger gives for a path, method and status, its refs made absolute. */
export function responseSchema(swagger: Swagger, specPath: string, method: Method, status: string): Json | undefined {
  const schema = swagger.paths[specPath]?.[method]?.responses[status]?.schema;
  if (!schema) return undefined;
  return JSON.parse(JSON.stringify(schema).replace(/"#\/definitions\//g, `"${SPEC_ID}#/definitions/`)) as Json;
}

/** True when the swagger offers the method on the path (so a kit would call it). */
export function specOffers(swagger: Swagger, specPath: string, method: Method): boolean {
  return !!swagger.paths[specPath]?.[method];
}

function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}${e.params && 'missingProperty' in e.params ? '' : ` ${JSON.stringify(e.params)}`}`);
}

/** The definition a schema names (`{$ref}` or an array of them), e.g. `TroubleTicket`. */
function definitionNamed(schema: Json): string | undefined {
  const ref = (schema.$ref ?? (schema.items as Json | undefined)?.$ref) as string | undefined;
  return ref?.split('/').pop();
}

/**
 * The attributes a kit requires on every element: id and href (of a definition that has them), and
 * those the definition and its `_Create` (what a client must send, so what the resource must
 * carry) call required.
 */
export function mandatoryAttributes(swagger: Swagger, definition: string): string[] {
  const required = (name: string) => ((swagger.definitions[name]?.required as string[] | undefined) ?? []);
  const properties = (swagger.definitions[definition]?.properties ?? {}) as Json;
  const identity = ['id', 'href'].filter((name) => name in properties);
  return [...new Set([...identity, ...required(definition), ...required(`${definition}_Create`)])];
}

/** The schema of one response: the swagger's, or `fallback` (refs as `#/definitions/X`) where it has none. */
function schemaOf(file: string, specPath: string, method: Method, status: string, fallback?: Json): Json {
  const { swagger } = loadSwagger(file);
  const schema = responseSchema(swagger, specPath, method, status) ?? (fallback && JSON.parse(JSON.stringify(fallback).replace(/"#\/definitions\//g, `"${SPEC_ID}#/definitions/`)));
  if (!schema) throw new Error(`${file} has no response schema for ${method.toUpperCase()} ${specPath} ${status}`);
  return schema as Json;
}

/** The validator of one response (compiled once per swagger, path, method and status). */
function validatorFor(file: string, specPath: string, method: Method, status: string, fallback?: Json): ValidateFunction {
  const key = `${file} ${method} ${specPath} ${status}`;
  const existing = validators.get(key);
  if (existing) return existing;
  const validate = loadSwagger(file).ajv.compile(schemaOf(file, specPath, method, status, fallback));
  validators.set(key, validate);
  return validate;
}

/**
 * The violations of a response body, one line each, naming the element (by id) and the attribute;
 * empty when the body conforms. A resource (or each element of a list) must also carry every
 * mandatory attribute (see mandatoryAttributes), and an @type that is its definition's (or one
 * whose @baseType is).
 */
export function violations(file: string, specPath: string, method: Method, status: string, body: unknown, fallback?: Json): string[] {
  const validate = validatorFor(file, specPath, method, status, fallback);
  const found: string[] = [];
  const idAt = (index: string | undefined) => String((Array.isArray(body) ? (index === undefined ? undefined : (body[Number(index)] as Json | undefined)?.id) : (body as Json | null)?.id) ?? '(no id)');
  if (!validate(body)) {
    for (const e of describeErrors(validate.errors)) found.push(`${idAt(Array.isArray(body) ? /^\/(\d+)/.exec(e)?.[1] : undefined)}: ${e}`);
  }
  const definition = definitionNamed(schemaOf(file, specPath, method, status, fallback));
  if (definition && definition !== 'Error' && body !== null && typeof body === 'object') {
    const mandatory = mandatoryAttributes(loadSwagger(file).swagger, definition);
    for (const element of (Array.isArray(body) ? body : [body]) as Json[]) {
      for (const name of mandatory) if (element[name] === undefined || element[name] === null) found.push(`${String(element.id ?? '(no id)')}: mandatory ${name} missing`);
      // A resource names its class: the definition's, or a subclass of it (with @baseType).
      const type = element['@type'];
      if (type !== undefined && type !== definition && element['@baseType'] !== definition) found.push(`${String(element.id ?? '(no id)')}: @type ${String(type)} is not ${definition}`);
    }
  }
  return found;
}

/** What a resource's create and existing get: the API under test and an admin's headers. */
export interface SpecContext {
  api: TestApi;
  auth: Record<string, string>;
}

/** One resource of an API to check. */
export interface SpecResourceCheck {
  /** Path segment and swagger path, e.g. `troubleTicket`. */
  resource: string;
  /**
   * The body to POST (the check's own resource is created through the API). Leave out when the
   * API does not let clients create it: then `existing` makes one, and POST must answer 405.
   */
  create?(ctx: SpecContext): Promise<Json> | Json;
  /** The id of a resource made outside the API (when clients cannot create it). */
  existing?(ctx: SpecContext): Promise<string>;
  /** A change to PATCH; the response must carry every attribute of it as sent. */
  patch?: Json;
  /**
   * The swagger definition of the resource, for a path the swagger has no GET response schema for
   * (TMF685's resourcePool is only written there): every element is checked against it.
   */
  definition?: string;
  /**
   * Where a business rule keeps a live resource (409, a documented answer of DELETE): the change
   * that makes it deletable. The check then sees DELETE answer 409 first, applies this, and deletes.
   */
  beforeDelete?: Json;
  /**
   * Attributes the API needs on create beyond what the specification requires, each with why (a
   * deviation from the specification, kept on purpose): left out, POST must answer 400 naming it.
   */
  needs?: Record<string, string>;
  /**
   * Attributes the server rewrites on create beyond adding to them (masked, normalized, an array
   * it adds elements to), each with why; the rest must come back as sent.
   */
  rewrites?: Record<string, string>;
  /** Writes the API refuses on purpose (405), each allowed only where the swagger lists 405. */
  refused?: Array<'post' | 'patch' | 'delete'>;
  /** Top-level attribute of the created resource to filter and select with (`?fields=`, `?x=`). */
  attribute: string;
  /** More top-level attributes to filter on (dates and booleans, compared as the client wrote them). */
  alsoFilter?: string[];
}

/** The conformance suite of one API: its swagger (under test/spec), base path and resources. */
export function describeSpecConformance(api: {
  name: string;
  swagger: string;
  basePath: string;
  resources: SpecResourceCheck[];
  /**
   * Another swagger whose Error checks the error bodies, where this one's Error is not the v4
   * Error every other API answers with (TMF685's only published swagger, a v1, types reason as
   * an integer).
   */
  errorSwagger?: string;
  /**
   * Makes resources the way the system itself does (activities, workflows), before the checks,
   * so that every list the kits would read holds them too.
   */
  prepare?(ctx: SpecContext): Promise<void>;
}): void {
  const errorViolations = (specPath: string, method: Method, status: string, body: unknown) =>
    api.errorSwagger
      ? violations(api.errorSwagger, '/(error)', 'get', 'error', body, { $ref: '#/definitions/Error' })
      : violations(api.swagger, specPath, method, status, body, { $ref: '#/definitions/Error' });
  describe(`${api.name} v4 specification conformance`, () => {
    let testApi: TestApi;
    let auth: Record<string, string>;

    beforeAll(async () => {
      // The kits' own database: the seeds plus what the kits (and these checks) create.
      testApi = await createTestApi(undefined, { databaseUrl: process.env.CTK_DATABASE_URL, taskQueue: testTaskQueue('spec-conformance') });
      auth = bearer(await tokenFor('admin'));
      await api.prepare?.({ api: testApi, auth });
    });

    afterAll(async () => {
      await testApi.close();
    });

    if (specOffers(loadSwagger(api.swagger).swagger, '/hub', 'post')) {
      it('POST /hub → 201 with the EventSubscription, DELETE /hub/{id} → 204 then 404', async () => {
        const res = await request(testApi.app).post(`${api.basePath}/hub`).set(auth).send({ callback: 'http://listener.test/events' });
        expect(res.status).toBe(201);
        expect(violations(api.swagger, '/hub', 'post', '201', res.body)).toEqual([]);
        expect(res.body.callback).toBe('http://listener.test/events');
        expect((await request(testApi.app).delete(`${api.basePath}/hub/${String(res.body.id)}`).set(auth)).status).toBe(204);
        expect((await request(testApi.app).delete(`${api.basePath}/hub/${String(res.body.id)}`).set(auth)).status).toBe(404);
      });
    }

    for (const r of api.resources) {
      const collection = `/${r.resource}`;
      const item = `/${r.resource}/{id}`;
      const url = `${api.basePath}/${r.resource}`;
      const offers = (specPath: string, method: Method) => specOffers(loadSwagger(api.swagger).swagger, specPath, method);
      const refusedAllowed = (specPath: string, method: Method) =>
        !!loadSwagger(api.swagger).swagger.paths[specPath]?.[method]?.responses['405'];
      let created: Json;

      describe(r.resource, () => {
        beforeAll(async () => {
          if (r.create && !r.refused?.includes('post')) {
            const res = await request(testApi.app).post(url).set(auth).send(await r.create({ api: testApi, auth }));
            created = res.body as Json;
            // Reported by the POST test below; a failed create leaves the others nothing to read.
            if (res.status !== 201) created = {};
          } else if (r.existing) {
            const id = await r.existing({ api: testApi, auth });
            created = (await request(testApi.app).get(`${url}/${id}`).set(auth)).body as Json;
          } else {
            throw new Error(`${r.resource}: give create or existing`);
          }
        });

        if (offers(collection, 'post')) {
          if (r.refused?.includes('post')) {
            it('POST is refused with 405, which the specification allows', async () => {
              const res = await request(testApi.app).post(url).set(auth).send({});
              expect(refusedAllowed(collection, 'post')).toBe(true);
              expect(res.status).toBe(405);
              expect(errorViolations(collection, 'post', '405', res.body)).toEqual([]);
            });
          } else {
            it('POST → 201 with the resource as sent, valid against the specification, and its Location', async () => {
              const sent = await r.create!({ api: testApi, auth });
              const res = await request(testApi.app).post(url).set(auth).send(sent);
              expect(res.status).toBe(201);
              // What the client sent comes back as sent (the server may add to it: ids, hrefs, names),
              // but for what the server rewrites on purpose.
              expect(res.body).toMatchObject(Object.fromEntries(Object.entries(sent).filter(([k]) => !(k in (r.rewrites ?? {})))));
              expect(violations(api.swagger, collection, 'post', '201', res.body)).toEqual([]);
              expect(res.headers.location).toBe(res.body.href);
              expect(res.body.href).toMatch(new RegExp(`${url}/${res.body.id}$`));
            });

            const needs = Object.keys(r.needs ?? {});
            it(`POST of only what the specification requires${needs.length ? ` (and ${needs.join(', ')})` : ''} → 201, the server filling the rest`, async () => {
              const full = await r.create!({ api: testApi, auth });
              const definition = definitionNamed(schemaOf(api.swagger, collection, 'post', '201'));
              const required = (loadSwagger(api.swagger).swagger.definitions[`${definition}_Create`]?.required as string[] | undefined) ?? [];
              const minimal = Object.fromEntries(Object.entries(full).filter(([k]) => required.includes(k) || needs.includes(k)));
              const res = await request(testApi.app).post(url).set(auth).send(minimal);
              expect({ status: res.status, body: res.status === 201 ? {} : res.body }).toEqual({ status: 201, body: {} });
              expect(violations(api.swagger, collection, 'post', '201', res.body)).toEqual([]);
              // What we need beyond the specification is refused by name when left out, with nothing stored.
              for (const name of needs) {
                const without = await request(testApi.app).post(url).set(auth).send(Object.fromEntries(Object.entries(minimal).filter(([k]) => k !== name)));
                expect({ status: without.status, names: String(without.body.message).includes(name) }).toEqual({ status: 400, names: true });
              }
            });
          }
        }

        it('GET list → 200, every element valid against the specification', async () => {
          const res = await request(testApi.app).get(`${url}?limit=1000`).set(auth);
          expect(res.status).toBe(200);
          expect(Array.isArray(res.body)).toBe(true);
          expect((res.body as Json[]).map((e) => e.id)).toContain(created.id);
          expect(res.headers['x-result-count']).toBe(String(res.body.length));
          expect(Number(res.headers['x-total-count'])).toBeGreaterThanOrEqual(res.body.length);
          expect(violations(api.swagger, collection, 'get', '200', res.body, r.definition ? { type: 'array', items: { $ref: `#/definitions/${r.definition}` } } : undefined)).toEqual([]);
        });

        it('GET by id → 200, valid against the specification', async () => {
          const res = await request(testApi.app).get(`${url}/${String(created.id)}`).set(auth);
          expect(res.status).toBe(200);
          expect(res.body.id).toBe(created.id);
          expect(violations(api.swagger, item, 'get', '200', res.body, r.definition ? { $ref: `#/definitions/${r.definition}` } : undefined)).toEqual([]);
        });

        it(`?fields=${r.attribute} → ${r.attribute}, id and href only`, async () => {
          const list = await request(testApi.app).get(`${url}?fields=${encodeURIComponent(r.attribute)}&limit=1000`).set(auth);
          expect(list.status).toBe(200);
          const extra = (list.body as Json[]).flatMap((e) => Object.keys(e).filter((k) => !['id', 'href', r.attribute].includes(k)));
          expect(extra).toEqual([]);
          const mine = (list.body as Json[]).find((e) => e.id === created.id);
          expect(mine).toEqual({ id: created.id, href: created.href, [r.attribute]: created[r.attribute] });
          const one = await request(testApi.app).get(`${url}/${String(created.id)}?fields=${encodeURIComponent(r.attribute)}`).set(auth);
          expect(one.status).toBe(200);
          expect(one.body).toEqual({ id: created.id, href: created.href, [r.attribute]: created[r.attribute] });
        });

        for (const attribute of [r.attribute, ...(r.alsoFilter ?? [])]) {
          it(`?${attribute}=value → only the matching elements`, async () => {
            const value = created[attribute];
            expect(['string', 'number', 'boolean']).toContain(typeof value);
            // As a client writes it: a date-time as it came back, a boolean as true/false.
            const res = await request(testApi.app).get(`${url}?${encodeURIComponent(attribute)}=${encodeURIComponent(String(value))}&limit=1000`).set(auth);
            expect(res.status).toBe(200);
            const ids = (res.body as Json[]).map((e) => e.id);
            expect(ids).toContain(created.id);
            expect((res.body as Json[]).filter((e) => e[attribute] !== value)).toEqual([]);
          });
        }

        it('an unknown id → 404 with a TMF Error', async () => {
          const res = await request(testApi.app).get(`${url}/${randomUUID()}`).set(auth);
          expect(res.status).toBe(404);
          expect(errorViolations(item, 'get', '404', res.body)).toEqual([]);
        });

        if (offers(item, 'patch')) {
          if (r.refused?.includes('patch')) {
            it('PATCH is refused with 405, which the specification allows', async () => {
              const res = await request(testApi.app).patch(`${url}/${String(created.id)}`).set(auth).send({});
              expect(refusedAllowed(item, 'patch')).toBe(true);
              expect(res.status).toBe(405);
              expect(errorViolations(item, 'patch', '405', res.body)).toEqual([]);
            });
          } else {
            it('PATCH → 200 with the changed resource, valid against the specification', async () => {
              expect(r.patch).toBeDefined();
              const res = await request(testApi.app).patch(`${url}/${String(created.id)}`).set(auth).send(r.patch!);
              expect(res.status).toBe(200);
              expect(res.body).toEqual(expect.objectContaining(r.patch!));
              expect(res.body.id).toBe(created.id);
              expect(violations(api.swagger, item, 'patch', '200', res.body)).toEqual([]);
              const missing = await request(testApi.app).patch(`${url}/${randomUUID()}`).set(auth).send(r.patch!);
              expect(missing.status).toBe(404);
            });
          }
        }

        if (offers(item, 'delete')) {
          if (r.refused?.includes('delete')) {
            it('DELETE is refused with 405, which the specification allows', async () => {
              const res = await request(testApi.app).delete(`${url}/${String(created.id)}`).set(auth);
              expect(refusedAllowed(item, 'delete')).toBe(true);
              expect(res.status).toBe(405);
              expect(errorViolations(item, 'delete', '405', res.body)).toEqual([]);
            });
          } else {
            it(`DELETE → 204, then GET → 404${r.beforeDelete ? ' (409 while live)' : ''}`, async () => {
              if (r.beforeDelete) {
                const live = await request(testApi.app).delete(`${url}/${String(created.id)}`).set(auth);
                expect(live.status).toBe(409);
                expect(errorViolations(item, 'delete', '409', live.body)).toEqual([]);
                expect((await request(testApi.app).patch(`${url}/${String(created.id)}`).set(auth).send(r.beforeDelete)).status).toBe(200);
              }
              const res = await request(testApi.app).delete(`${url}/${String(created.id)}`).set(auth);
              expect(res.status).toBe(204);
              const after = await request(testApi.app).get(`${url}/${String(created.id)}`).set(auth);
              expect(after.status).toBe(404);
              const again = await request(testApi.app).delete(`${url}/${String(created.id)}`).set(auth);
              expect(again.status).toBe(404);
            });
          }
        }
      });
    }
  });
}
