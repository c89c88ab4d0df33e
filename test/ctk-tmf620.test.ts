import { describeConformanceKit } from './helpers/ctk';

describeConformanceKit({ name: 'TMF620', envVar: 'Product_Catalog', apiName: 'productCatalogManagement', minAssertions: 800 });
