/** Every workflow, re-exported for the worker bundle. Deterministic code only below this folder. */
export { inventoryHousekeeping } from './inventory-housekeeping';
export { orderFulfilment } from './order-fulfilment';
export { prepaidTopUp } from './prepaid-top-up';
export { prepayHousekeeping } from './prepay-housekeeping';
export { registration } from './registration';
export { reportsRefresh } from './reports-refresh';
export { serviceActivation } from './service-activation';
export { billingCycle } from './billing-cycle';
export { troubleTicket } from './trouble-ticket';
