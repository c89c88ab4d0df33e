/** The TMF list query language: `fields=`, `offset`/`limit`, and equality filters on attributes. */
import type { EqualityFilters } from '../../db/tmf-resources';
import { badRequest } from './errors';

const RESERVED = new Set(['fields', 'offset', 'limit', 'sort', 'depth', 'expand']);
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
const DATE_TIME_WITH_SPACE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)? \d{2}:?\d{2}$/;

type RawQuery = Record<string, unknown>;

function asStrings(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(asStrings);
  return typeof value === 'string' ? [value] : [];
}

function nonNegativeInt(name: string, raw: unknown, fallback: number): number {
  const [text] = asStrings(raw);
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw badRequest(`${name}: must be a non-negative integer, got '${text}'`);
  return Number(text);
}

/** `offset` and `limit` (limit capped at MAX_LIMIT). */
export function parsePaging(query: RawQuery): { offset: number; limit: number } {
  const offset = nonNegativeInt('offset', query.offset, 0);
  const limit = Math.min(nonNegativeInt('limit', query.limit, DEFAULT_LIMIT), MAX_LIMIT);
  return { offset, limit };
}

/** `fields=a,b` → ['a','b'], or undefined for the whole resource. */
export function parseFields(query: RawQuery): string[] | undefined {
  const names = asStrings(query.fields).flatMap((f) => f.split(',')).map((f) => f.trim()).filter(Boolean);
  return names.length ? names : undefined;
}

/**
 * Every other parameter is an equality filter on an attribute (dots reach into nested objects);
 * a comma list means any of the values. A date-time whose `+` offset arrived as a space (sent
 * unencoded) is matched as the client wrote it.
 */
export function parseFilters(query: RawQuery): EqualityFilters {
  const filters: EqualityFilters = [];
  for (const [name, raw] of Object.entries(query)) {
    if (RESERVED.has(name)) continue;
    const values = asStrings(raw)
      .flatMap((v) => v.split(','))
      .flatMap((v) => (DATE_TIME_WITH_SPACE.test(v) ? [v, v.replace(' ', '+')] : [v]));
    filters.push({ path: name.split('.'), values });
  }
  return filters;
}

/** Keeps the requested top-level attributes, and always `id` and `href`. */
export function projectFields<T extends Record<string, unknown>>(doc: T, fields: string[] | undefined): Partial<T> {
  if (!fields) return doc;
  const keep = new Set(['id', 'href', ...fields.map((f) => f.split('.')[0])]);
  return Object.fromEntries(Object.entries(doc).filter(([k]) => keep.has(k))) as Partial<T>;
}
