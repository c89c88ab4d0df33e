/** Every workflow, re-exported for the worker bundle. Deterministic code only below this folder. */
export { inventoryHousekeeping } from './inventory-housekeeping';
export { orderFulfilment } from './order-fulfilment';
export { registration } from './registration';
export { serviceActivation } from './service-activation';
export { billingCycle } from './billing-cycle';
