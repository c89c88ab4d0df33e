/** createActivities(deps) wires every domain's activities; tests pass fakes, the worker real clients. */
import type { Knex } from 'knex';
import { createCatalogActivities } from './catalog';

export interface ActivityDeps {
  knex: Knex;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createCatalogActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
