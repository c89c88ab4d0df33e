import { describeConformanceKit } from './helpers/ctk';

/**
 * The kit creates a bucket with only a usage type (a standalone bucket: no account yet), and tops
 * up, adjusts and reserves on a bucket `11` that no server holds: those actions are recorded
 * `failed` with the reason (api/prepay-action-rules.ts), which the kit accepts.
 */
describeConformanceKit({ name: 'TMF654', envVar: 'PrepayBalance', apiName: 'prepayBalanceManagement', minAssertions: 100 });
