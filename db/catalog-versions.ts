/** Snapshots of catalog items per version (table catalog_version). */
import type { Db } from './knex';
import { isUuid, type TmfDocument } from './tmf-resources';

/** Records the document as the current state of its version. */
export async function saveCatalogVersion(db: Db, resource: string, doc: TmfDocument): Promise<void> {
  await db('catalog_version')
    .insert({ resource, id: doc.id, version: String(doc.version ?? '1.0'), body: doc })
    .onConflict(['resource', 'id', 'version'])
    .merge({ body: doc, recorded_at: db.fn.now() });
}

/** The item as it was at that version, or undefined. */
export async function findCatalogVersion(db: Db, resource: string, id: string, version: string): Promise<TmfDocument | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db('catalog_version').select('body').where({ resource, id, version }).first();
  return row?.body;
}

/** Every recorded version of an item, oldest first. */
export async function listCatalogVersions(db: Db, resource: string, id: string): Promise<TmfDocument[]> {
  if (!isUuid(id)) return [];
  const rows = await db('catalog_version').select('body').where({ resource, id }).orderBy('recorded_at');
  return rows.map((r: { body: TmfDocument }) => r.body);
}
