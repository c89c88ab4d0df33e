/**
 * `GET /openapi.json`: the OpenAPI 3.1 document describes every route the TMF620 router really
 * registers, its references resolve, and the schemas carry what clients need.
 */
import request from 'supertest';
import { registrationsRouter, type RegistrationApiDeps } from '../api/registrations';
import { productCatalogApi } from '../api/tmf620-product-catalog';
import { documentApi } from '../api/tmf667-document';
import { derivePiiKeys } from '../domain/pii';
import { systemClock } from '../domain/clock';
import { bearer, createTestApi, tokenFor, type TestApi } from './helpers/api';

type Json = Record<string, unknown>;

const BASE = '/tmf-api/productCatalogManagement/v4';
const RESOURCES = ['catalog', 'category', 'productSpecification', 'productOffering', 'productOfferingPrice'];
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every `$ref` value anywhere in the document, with where it was found. */
function collectRefs(node: unknown, at = '#'): Array<{ ref: string; at: string }> {
  if (Array.isArray(node)) return node.flatMap((item, i) => collectRefs(item, `${at}/${i}`));
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === '$ref' && typeof value === 'string' ? [{ ref: value, at }] : collectRefs(value, `${at}/${key}`),
  );
}

/** The value under these keys, or undefined where the path leaves the document. */
function at(node: unknown, ...keys: string[]): unknown {
  return keys.reduce<unknown>((n, key) => (n !== null && typeof n === 'object' ? (n as Json)[key] : undefined), node);
}

/** The object under these keys ({} where there is none), for iterating over its entries. */
const objectAt = (node: unknown, ...keys: string[]): Json => (at(node, ...keys) ?? {}) as Json;

/** Follows a local JSON pointer (`#/a/b`) through the document; undefined if it names nothing. */
function resolvePointer(doc: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return at(doc, ...ref.slice(2).split('/').map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~')));
}

/** `METHOD /path/{param}` of every operation in the document. */
function documentedOperations(doc: Json): string[] {
  return Object.entries(objectAt(doc, 'paths')).flatMap(([path, item]) =>
    Object.keys(item as Json)
      .filter((method) => HTTP_METHODS.includes(method))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** Every operation of the document, as `{ method, path, op }`. */
function operations(doc: Json): Array<{ method: string; path: string; op: Json }> {
  return Object.entries(objectAt(doc, 'paths')).flatMap(([path, item]) =>
    Object.entries(item as Json)
      .filter(([method]) => HTTP_METHODS.includes(method))
      .map(([method, op]) => ({ method, path, op: op as Json })),
  );
}

describe('OpenAPI document', () => {
  let api: TestApi;
  let doc: Json;

  beforeAll(async () => {
    api = await createTestApi();
    const res = await request(api.app).get('/openapi.json').set(bearer(await tokenFor('customer')));
    expect(res.status).toBe(200);
    doc = res.body;
  });

  afterAll(async () => {
    await api.close();
  });

  describe('access', () => {
    it('is served to any valid token, as OpenAPI 3.1.0', async () => {
      for (const role of ['admin', 'agent', 'technician'] as const) {
        const res = await request(api.app).get('/openapi.json').set(bearer(await tokenFor(role)));
        expect(res.status).toBe(200);
        expect(res.body.openapi).toBe('3.1.0');
      }
      expect(doc.openapi).toBe('3.1.0');
    });

    it('needs a token', async () => {
      expect((await request(api.app).get('/openapi.json')).status).toBe(401);
    });

    it('declares bearer security globally and none for /health', () => {
      expect(at(doc, 'components', 'securitySchemes', 'bearerAuth')).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
      expect(doc.security).toEqual([{ bearerAuth: [] }]);
      expect(at(doc, 'paths', '/health', 'get', 'security')).toEqual([]);
    });
  });

  describe('paths', () => {
    /** The routes the TMF620 router registers, as `METHOD /full/path/{id}`. */
    /** `METHOD /path/{param}` of every route a router registers under `basePath`. */
    function routesOf(router: unknown, basePath: string): string[] {
      const stack = (router as { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> }).stack;
      return stack.flatMap(({ route }) =>
        route
          ? Object.keys(route.methods).map((m) => `${m.toUpperCase()} ${basePath}${route.path.replace(/:(\w+)/g, '{$1}').replace(/\/$/, '')}`)
          : [],
      );
    }

    function registeredRoutes(): string[] {
      const tmfApi = productCatalogApi({ knex: api.knex, clock: systemClock, publicUrl: 'http://bss.test' });
      return routesOf(tmfApi.router, tmfApi.basePath);
    }

    it('documents the registration routes and the document content routes', () => {
      const registration = routesOf(registrationsRouter({} as RegistrationApiDeps), '/api/registrations');
      expect(registration).toHaveLength(5);
      const content = routesOf(documentApi({ knex: api.knex, clock: systemClock, publicUrl: 'http://bss.test', piiKeys: derivePiiKeys(Buffer.alloc(32).toString('base64')) }).router, '/tmf-api/document/v4')
        .filter((r) => r.endsWith('/content'));
      expect(content).toHaveLength(2);
      expect(documentedOperations(doc)).toEqual(expect.arrayContaining([...registration, ...content]));
    });

    it('documents every route the TMF620 router registers, and no route it does not', () => {
      const expected = [
        ...RESOURCES.flatMap((r) => [
          `GET ${BASE}/${r}`,
          `POST ${BASE}/${r}`,
          `GET ${BASE}/${r}/{id}`,
          `PATCH ${BASE}/${r}/{id}`,
          `DELETE ${BASE}/${r}/{id}`,
        ]),
        `POST ${BASE}/hub`,
        `GET ${BASE}/hub/{id}`,
        `DELETE ${BASE}/hub/{id}`,
      ];
      const registered = registeredRoutes();
      expect([...registered].sort()).toEqual([...expected].sort());

      const documented = documentedOperations(doc).filter((op) => op.includes(BASE));
      expect(documented.sort()).toEqual(registered.sort());
    });

    it('documents the operations endpoints', () => {
      expect(documentedOperations(doc)).toEqual(expect.arrayContaining(['GET /health', 'GET /metrics', 'GET /openapi.json']));
    });

    it('gives every operation a unique operationId', () => {
      const ids = operations(doc).map(({ op }) => op.operationId);
      expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('documents the id path parameter wherever the path has one', () => {
      const withId = operations(doc).filter(({ path }) => path.includes('{id}'));
      expect(withId.length).toBeGreaterThan(0);
      for (const { method, path, op } of withId) {
        expect({ op: `${method} ${path}`, params: op.parameters }).toEqual({
          op: `${method} ${path}`,
          params: expect.arrayContaining([expect.objectContaining({ name: 'id', in: 'path', required: true })]),
        });
      }
    });
  });

  describe('references and schemas', () => {
    it('resolves every $ref to an existing component', () => {
      const refs = collectRefs(doc);
      expect(refs.length).toBeGreaterThan(0);
      const broken = refs.filter(({ ref }) => !ref.startsWith('#/components/') || resolvePointer(doc, ref) === undefined);
      expect(broken).toEqual([]);
    });

    it('requires priceType in ProductOfferingPrice_Create and describes the rating tariff', () => {
      const pop = at(doc, 'components', 'schemas', 'ProductOfferingPrice_Create');
      expect(at(pop, 'required')).toEqual(expect.arrayContaining(['name', 'priceType']));
      expect(at(pop, 'properties', 'priceType', 'enum')).toEqual(['oneTime', 'recurring', 'usage', 'discount']);
      expect(at(pop, 'properties', 'usageType', 'enum')).toEqual(['voice', 'data', 'sms']);

      const rating = at(pop, 'properties', 'rating');
      expect(rating).toEqual(expect.objectContaining({ type: 'object', required: ['bands'] }));
      const slot = at(rating, 'properties', 'bands', 'items', 'properties', 'slots', 'items');
      expect(at(slot, 'required')).toEqual(expect.arrayContaining(['start', 'rate', 'unit', 'increment']));
      // Rates are decimal strings, so that a JSON float cannot creep in.
      expect(at(slot, 'properties', 'rate', 'type')).toBe('string');
    });

    it('describes the stored resources with their server-filled id and href', () => {
      for (const type of ['Catalog', 'Category', 'ProductSpecification', 'ProductOffering', 'ProductOfferingPrice']) {
        expect(at(doc, 'components', 'schemas', type, 'required')).toEqual(expect.arrayContaining(['id', 'href']));
      }
    });

    it('makes every error response reference the Error schema', () => {
      const errorResponses = operations(doc).flatMap(({ method, path, op }) =>
        Object.entries(objectAt(op, 'responses'))
          // /health answers 503 with its own health document, not an error.
          .filter(([status]) => Number(status) >= 400 && !(path === '/health' && status === '503'))
          .map(([status, response]) => ({ where: `${method} ${path} ${status}`, response })),
      );
      expect(errorResponses.length).toBeGreaterThan(0);
      for (const { where, response } of errorResponses) {
        expect({ where, schema: at(response, 'content', 'application/json', 'schema') }).toEqual({
          where,
          schema: { $ref: '#/components/schemas/Error' },
        });
      }
      expect(at(doc, 'components', 'schemas', 'Error', 'required')).toEqual(expect.arrayContaining(['code', 'reason', 'message', 'status']));
    });
  });
});
