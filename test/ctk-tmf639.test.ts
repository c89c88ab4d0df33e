import { describeConformanceKit } from './helpers/ctk';

// The kit's environment names the base URL `Resource_Inventory`, with a trailing slash.
describeConformanceKit({ name: 'TMF639', envVar: 'Resource_Inventory', apiName: 'resourceInventoryManagement', minAssertions: 40 });
