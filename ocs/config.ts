/** The OCS process configuration, from the environment (every variable has a default but DATABASE_URL). */
import { z } from 'zod';
import type { FailureHandling } from './diameter/gy-mapping';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from './engine/engine';

const int = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);
const quantity = (fallback: string) => z.string().regex(/^[0-9]+$/).default(fallback);

const schema = z.object({
  DATABASE_URL: z.string().min(1, 'DATABASE_URL is required'),
  OCS_NCHF_PORT: int(8090),
  OCS_NCHF_HOST: z.string().default('0.0.0.0'),
  OCS_NCHF_PUBLIC_URL: z.string().optional(),
  OCS_GY_PORT: int(3868),
  OCS_GY_HOST: z.string().default('0.0.0.0'),
  OCS_DIAMETER_ORIGIN_HOST: z.string().default('ocs.bss.local'),
  OCS_DIAMETER_ORIGIN_REALM: z.string().default('bss.local'),
  /** What Gy clients do with their sessions when no OCS answers (Credit-Control-Failure-Handling); absent: their own settings. */
  OCS_GY_FAILURE_HANDLING: z.enum(['TERMINATE', 'CONTINUE', 'RETRY_AND_TERMINATE']).optional(),
  OCS_METRICS_PORT: int(9464),
  OCS_METRICS_HOST: z.string().default('0.0.0.0'),
  OCS_DB_POOL: int(20),
  OCS_VALIDITY_TIME: int(DEFAULT_ENGINE_CONFIG.validityTime),
  /** Share of a call's or data session's grant (percent) left at which the client asks for more (Time-/Volume-Quota-Threshold); 0: none. */
  OCS_QUOTA_THRESHOLD_PERCENT: z.coerce.number().int().min(0).max(99).default(DEFAULT_ENGINE_CONFIG.quotaThresholdPercent),
  /** Seconds a data session may stay idle before the client gives its quota back (Quota-Holding-Time); 0: none. */
  OCS_QUOTA_HOLDING_TIME: int(DEFAULT_ENGINE_CONFIG.quotaHoldingTime),
  OCS_SESSION_TIMEOUT: int(DEFAULT_ENGINE_CONFIG.sessionTimeout),
  OCS_RESERVATION_GRACE: int(DEFAULT_ENGINE_CONFIG.reservationGrace),
  OCS_SWEEP_INTERVAL_MS: int(10_000),
  OCS_SESSION_RETENTION: int(86_400),
  OCS_QUOTA_VOICE: quantity(DEFAULT_ENGINE_CONFIG.defaultQuota.voice),
  OCS_QUOTA_DATA: quantity(DEFAULT_ENGINE_CONFIG.defaultQuota.data),
  OCS_QUOTA_SMS: quantity(DEFAULT_ENGINE_CONFIG.defaultQuota.sms),
  OCS_MAX_QUOTA_VOICE: quantity(DEFAULT_ENGINE_CONFIG.maxQuota.voice),
  OCS_MAX_QUOTA_DATA: quantity(DEFAULT_ENGINE_CONFIG.maxQuota.data),
  OCS_MAX_QUOTA_SMS: quantity(DEFAULT_ENGINE_CONFIG.maxQuota.sms),
  /** A top-up portal a data session is redirected to once its final units are used (absent: it ends). */
  OCS_FINAL_UNIT_REDIRECT_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** A filter of the gateway's (Filter-Id) a data session is restricted to after its final units: alone RESTRICT_ACCESS, with a portal what stays reachable besides it. */
  OCS_FINAL_UNIT_FILTER_ID: z
    .string()
    .regex(/^[\x21-\x7e]{1,253}$/, 'a Filter-Id: 1 to 253 printable ASCII characters, no spaces')
    .optional(),
  OCS_TIME_ZONE: z.string().default(DEFAULT_ENGINE_CONFIG.defaultTimeZone),
  OCS_BATCH_MAX: z.coerce.number().int().positive().default(DEFAULT_ENGINE_CONFIG.maxBatch),
  OCS_BATCHES_IN_FLIGHT: z.coerce.number().int().positive().default(DEFAULT_ENGINE_CONFIG.batchesInFlight),
  OCS_STATE_CACHE_SIZE: int(DEFAULT_ENGINE_CONFIG.stateCacheSize),
  OCS_MAX_QUEUED: z.coerce.number().int().positive().default(DEFAULT_ENGINE_CONFIG.maxQueued),
  LOG_LEVEL: z.string().default('info'),
});

export interface OcsConfig {
  databaseUrl: string;
  nchf: { port: number; host: string; publicUrl?: string };
  gy: { port: number; host: string; originHost: string; originRealm: string; failureHandling?: FailureHandling };
  /** Where Prometheus scrapes `GET /metrics`. */
  metrics: { port: number; host: string };
  poolSize: number;
  sweepIntervalMs: number;
  /** Seconds a closed session is kept (retransmissions still answered) before it is deleted. */
  sessionRetention: number;
  engine: EngineConfig;
  logLevel: string;
}

/** Reads and checks the OCS configuration; throws naming every bad variable. */
export function loadOcsConfig(env: NodeJS.ProcessEnv = process.env): OcsConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new Error(`OCS configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const e = parsed.data;
  // A session is closed as abandoned only once none of its grants can still be valid: sooner, the
  // client's report at the end of a grant would find it closed (5002) and its usage uncharged.
  if (e.OCS_SESSION_TIMEOUT < e.OCS_VALIDITY_TIME + e.OCS_RESERVATION_GRACE) {
    throw new Error(`OCS configuration: OCS_SESSION_TIMEOUT (${e.OCS_SESSION_TIMEOUT}) must be at least OCS_VALIDITY_TIME + OCS_RESERVATION_GRACE (${e.OCS_VALIDITY_TIME + e.OCS_RESERVATION_GRACE})`);
  }
  return {
    databaseUrl: e.DATABASE_URL,
    nchf: { port: e.OCS_NCHF_PORT, host: e.OCS_NCHF_HOST, publicUrl: e.OCS_NCHF_PUBLIC_URL },
    gy: {
      port: e.OCS_GY_PORT,
      host: e.OCS_GY_HOST,
      originHost: e.OCS_DIAMETER_ORIGIN_HOST,
      originRealm: e.OCS_DIAMETER_ORIGIN_REALM,
      ...(e.OCS_GY_FAILURE_HANDLING ? { failureHandling: e.OCS_GY_FAILURE_HANDLING } : {}),
    },
    metrics: { port: e.OCS_METRICS_PORT, host: e.OCS_METRICS_HOST },
    poolSize: e.OCS_DB_POOL,
    sweepIntervalMs: e.OCS_SWEEP_INTERVAL_MS,
    sessionRetention: e.OCS_SESSION_RETENTION,
    engine: {
      ...DEFAULT_ENGINE_CONFIG,
      validityTime: e.OCS_VALIDITY_TIME,
      quotaThresholdPercent: e.OCS_QUOTA_THRESHOLD_PERCENT,
      quotaHoldingTime: e.OCS_QUOTA_HOLDING_TIME,
      sessionTimeout: e.OCS_SESSION_TIMEOUT,
      reservationGrace: e.OCS_RESERVATION_GRACE,
      defaultTimeZone: e.OCS_TIME_ZONE,
      defaultQuota: { voice: e.OCS_QUOTA_VOICE, data: e.OCS_QUOTA_DATA, sms: e.OCS_QUOTA_SMS },
      maxQuota: { voice: e.OCS_MAX_QUOTA_VOICE, data: e.OCS_MAX_QUOTA_DATA, sms: e.OCS_MAX_QUOTA_SMS },
      ...(e.OCS_FINAL_UNIT_REDIRECT_URL ? { finalUnitRedirect: e.OCS_FINAL_UNIT_REDIRECT_URL } : {}),
      ...(e.OCS_FINAL_UNIT_FILTER_ID ? { finalUnitFilterId: e.OCS_FINAL_UNIT_FILTER_ID } : {}),
      maxBatch: e.OCS_BATCH_MAX,
      batchesInFlight: e.OCS_BATCHES_IN_FLIGHT,
      stateCacheSize: e.OCS_STATE_CACHE_SIZE,
      maxQueued: e.OCS_MAX_QUEUED,
    },
    logLevel: e.LOG_LEVEL,
  };
}
