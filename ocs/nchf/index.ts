/** Nchf_ConvergedCharging front end of the charging engine. */
export { NCHF_BASE, startNchfServer } from './server';
export type { NchfServer } from './server';
export { toChargingDataResponse, toChargingRequest } from './mapping';
