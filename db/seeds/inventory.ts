/**
 * Seeds the inventory; every part is idempotent (what exists is left alone), so it runs on every start:
 * - 10,000 Spanish mobile numbers, +34 600 000 000 … +34 600 009 999;
 * - 3,000 SIM cards, ICCID 8934 01 000000000001… (Luhn check digit) with IMSI 214 01 0000000001…;
 * - FTTH service areas: Madrid (28xxx, two OLTs of 64 ports), Barcelona (08xxx, one OLT of 64
 *   ports) and Valencia (46xxx, one OLT of only 4 ports, so that orders there soon wait for capacity).
 */
import type { Knex } from 'knex';
import { imsiFor, iccidFor } from '../../domain/inventory/sim';
import { addMsisdnRange } from '../inventory';
import { addSimCards, ensureAccessNode, ensureServiceArea } from '../resource-inventory';

export const SEED_SIM_COUNT = 3000;

export const SEED_SERVICE_AREAS = [
  { id: 'MAD', name: 'Madrid', postalCodes: ['28'], nodes: [{ id: 'OLT-MAD-01', ports: 64 }, { id: 'OLT-MAD-02', ports: 64 }] },
  { id: 'BCN', name: 'Barcelona', postalCodes: ['08'], nodes: [{ id: 'OLT-BCN-01', ports: 64 }] },
  { id: 'VLC', name: 'Valencia', postalCodes: ['46'], nodes: [{ id: 'OLT-VLC-01', ports: 4 }] },
] as const;

export async function seedInventory(knex: Knex): Promise<void> {
  await addMsisdnRange(knex, '+34600000000', 10_000);
  await addSimCards(
    knex,
    Array.from({ length: SEED_SIM_COUNT }, (_, i) => ({ iccid: iccidFor('893401', i + 1), imsi: imsiFor('21401', i + 1) })),
  );
  for (const area of SEED_SERVICE_AREAS) {
    await ensureServiceArea(knex, { id: area.id, name: area.name, postalCodes: [...area.postalCodes] });
    for (const node of area.nodes) await ensureAccessNode(knex, { areaId: area.id, id: node.id, ports: node.ports });
  }
}
