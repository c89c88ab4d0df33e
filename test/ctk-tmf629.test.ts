import { describeConformanceKit } from './helpers/ctk';

describeConformanceKit({ name: 'TMF629', envVar: 'Customer', apiName: 'customerManagement', minAssertions: 60 });
