/**
 * The seeded consumer catalog (db/seeds/catalog-data.ts): every document is valid TMF620 as the
 * API validates it, every reference points at a seeded item, and the API serves the offerings.
 */
import request from 'supertest';
import type { z } from 'zod';
import {
  catalogSchema,
  categorySchema,
  productOfferingPriceSchema,
  productOfferingSchema,
  productSpecificationSchema,
} from '../api/schemas/tmf620';
import { catalogSeed } from '../db/seeds/catalog-data';
import { bearer, createTestApi, tokenFor, type TestApi } from './helpers/api';

type Doc = Record<string, unknown>;
type Resource = keyof typeof catalogSeed;
type Ref = { id: string };

const SCHEMAS: Record<Resource, z.ZodObject> = {
  catalog: catalogSchema,
  category: categorySchema,
  productSpecification: productSpecificationSchema,
  productOffering: productOfferingSchema,
  productOfferingPrice: productOfferingPriceSchema,
};

const seeded = (resource: Resource) => catalogSeed[resource] as Doc[];
/** The references a document holds under this attribute (undefined when it has none). */
const refsAt = (doc: Doc, attribute: string) => doc[attribute] as Ref[] | undefined;
const idsOf = (resource: Resource) => new Set(seeded(resource).map((d) => d.id as string));
const allDocs = (Object.keys(SCHEMAS) as Resource[]).flatMap((resource) => seeded(resource).map((doc) => ({ resource, doc })));

/** `[name, doc]` rows of one resource, for it.each. */
const rows = (resource: Resource) => seeded(resource).map((doc) => [doc.name as string, doc] as const);

describe('seeded product catalog', () => {
  describe('documents', () => {
    it('seeds every resource, with unique ids', () => {
      for (const resource of Object.keys(SCHEMAS) as Resource[]) expect(seeded(resource).length).toBeGreaterThan(0);
      const ids = allDocs.map(({ doc }) => doc.id);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it.each(allDocs.map(({ resource, doc }) => [resource, doc.name, doc] as const))(
      '%s "%s" passes its TMF620 schema, with no attribute the schema does not know',
      (resource, _name, doc) => {
        const result = SCHEMAS[resource].safeParse(doc);
        expect(result.error?.issues ?? []).toEqual([]);
        // The schemas strip unknown attributes; only the server-owned id may be dropped.
        const dropped = Object.keys(doc).filter((key) => !(key in (result.data as Doc)));
        expect(dropped).toEqual(['id']);
      },
    );
  });

  describe('references', () => {
    const specifications = idsOf('productSpecification');
    const prices = idsOf('productOfferingPrice');
    const offerings = idsOf('productOffering');
    const categories = idsOf('category');

    const expectAllIn = (refs: Ref[] | undefined, ids: Set<string>) => {
      const dangling = (refs ?? []).map((r) => r.id).filter((id) => !ids.has(id));
      expect(dangling).toEqual([]);
    };

    it.each(rows('productOffering'))('offering "%s" references seeded items only', (_name, offering) => {
      if (offering.isBundle) {
        expect(refsAt(offering, 'bundledProductOffering')?.length).toBeGreaterThan(0);
      } else {
        const specification = offering.productSpecification as Ref | undefined;
        expect(specification !== undefined && specifications.has(specification.id)).toBe(true);
      }
      expect(refsAt(offering, 'productOfferingPrice')?.length).toBeGreaterThan(0);
      expectAllIn(refsAt(offering, 'productOfferingPrice'), prices);
      expectAllIn(refsAt(offering, 'bundledProductOffering'), offerings);
      expectAllIn(refsAt(offering, 'category'), categories);
    });

    it.each(rows('productOfferingPrice'))('price "%s" references seeded prices only', (_name, price) => {
      expectAllIn(refsAt(price, 'popRelationship'), prices);
      expectAllIn(refsAt(price, 'bundledPopRelationship'), prices);
    });

    it.each(rows('category'))('category "%s" references seeded items only', (_name, category) => {
      expectAllIn(refsAt(category, 'productOffering'), offerings);
      expectAllIn(refsAt(category, 'subCategory'), categories);
      if (category.parentId !== undefined) expect(categories.has(category.parentId as string)).toBe(true);
    });

    it.each(rows('catalog'))('catalog "%s" references seeded categories only', (_name, catalog) => {
      expect(refsAt(catalog, 'category')?.length).toBeGreaterThan(0);
      expectAllIn(refsAt(catalog, 'category'), categories);
    });

    it('puts every offering in a category that lists it, and lists it only there', () => {
      for (const offering of seeded('productOffering')) {
        const listing = seeded('category')
          .filter((c) => refsAt(c, 'productOffering')?.some((r) => r.id === offering.id))
          .map((c) => c.id as string)
          .sort();
        expect({ offering: offering.name, categories: listing }).toEqual({
          offering: offering.name,
          categories: (refsAt(offering, 'category') ?? []).map((r) => r.id).sort(),
        });
      }
    });

    it('names every reference as the item it points at', () => {
      const names = new Map(allDocs.map(({ doc }) => [doc.id as string, doc.name as string]));
      const mismatches: string[] = [];
      let checked = 0;
      const visit = (node: unknown, owner: string) => {
        if (Array.isArray(node)) return node.forEach((n) => visit(n, owner));
        if (node === null || typeof node !== 'object') return;
        const obj = node as Doc;
        const target = typeof obj.id === 'string' ? names.get(obj.id) : undefined;
        if (obj.id !== owner && target !== undefined && obj.name !== undefined) checked += 1;
        if (obj.id !== owner && target !== undefined && obj.name !== undefined && obj.name !== target) {
          mismatches.push(`${owner} → ${String(obj.id)}: '${String(obj.name)}' ≠ '${target}'`);
        }
        Object.values(obj).forEach((v) => visit(v, owner));
      };
      for (const { doc } of allDocs) Object.values(doc).forEach((v) => visit(v, doc.id as string));
      expect(mismatches).toEqual([]);
      expect(checked).toBeGreaterThan(50);
    });
  });

  describe('served by the API', () => {
    let api: TestApi;

    beforeAll(async () => {
      api = await createTestApi();
    });

    afterAll(async () => {
      await api.close();
    });

    it('lists the launched seeded offerings with the mandatory TMF attributes', async () => {
      const res = await request(api.app)
        .get('/tmf-api/productCatalogManagement/v4/productOffering')
        .query({ lifecycleStatus: 'Launched', limit: '1000' })
        .set(bearer(await tokenFor('agent')));
      expect(res.status).toBe(200);

      const served = new Map((res.body as Doc[]).map((o) => [o.id as string, o]));
      for (const seed of seeded('productOffering')) {
        expect(seed.lifecycleStatus).toBe('Launched');
        const offering = served.get(seed.id as string);
        expect({ id: seed.id, served: offering !== undefined }).toEqual({ id: seed.id, served: true });
        for (const attribute of ['href', 'id', 'lastUpdate', 'lifecycleStatus', 'name']) {
          expect(typeof offering![attribute]).toBe('string');
        }
        expect(offering!.href).toBe(`http://bss.test/tmf-api/productCatalogManagement/v4/productOffering/${seed.id}`);
        expect(offering!.lifecycleStatus).toBe('Launched');
        expect(offering!.name).toBe(seed.name);
      }
    });
  });
});
