import { describeConformanceKit } from './helpers/ctk';

/**
 * The kit orders an item without a productOffering for an Individual "456-dd-df45" that does not
 * exist: the API checks the shape of an order only (api/schemas/tmf622.ts), references are checked
 * by the fulfilment workflow, which this suite does not start (no order hooks).
 */
describeConformanceKit({ name: 'TMF622', envVar: 'Product_Ordering', apiName: 'productOrderingManagement', minAssertions: 40 });
