/** Configuration from the environment, read once; every process takes what it needs from here. */
export interface Config {
  databaseUrl: string;
  temporalAddress: string;
  temporalNamespace: string;
  taskQueue: string;
  jwtSecret: string;
  /** Base64 master key (32 bytes) for personal data at rest. */
  piiKey: string;
  port: number;
  publicUrl: string;
  logLevel: string;
  /** Outgoing e-mail (SMTP) and SMS (SMPP). */
  smtpUrl: string;
  mailFrom: string;
  smppUrl: string;
  smppSystemId: string;
  smppPassword: string;
  smsSender: string;
  /** Serve GET /api/dev/outbox (what the local sinks received): the embedded default only. */
  devOutbox: boolean;
  /** Who reviews identities, and who is told when a review waits too long. */
  reviewQueueEmail: string;
  supervisorEmail: string;
  /** Time zone that reports count months in (IANA name). */
  reportTimeZone: string;
  /** The network elements (or the simulator): `tcp://host:port`. */
  networkUrl: string;
  /** Default low-balance threshold of prepaid accounts (decimal, the account's currency). */
  lowBalanceThreshold: string;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** Reads the configuration; throws naming the first missing variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000);
  return {
    databaseUrl: required(env, 'DATABASE_URL'),
    temporalAddress: env.TEMPORAL_ADDRESS ?? 'localhost:7233',
    temporalNamespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: env.TEMPORAL_TASK_QUEUE ?? 'bss',
    jwtSecret: required(env, 'JWT_SECRET'),
    piiKey: required(env, 'PII_KEY'),
    port,
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    logLevel: env.LOG_LEVEL ?? 'info',
    smtpUrl: env.SMTP_URL ?? 'smtp://127.0.0.1:2525',
    mailFrom: env.MAIL_FROM ?? 'BSS <no-reply@bss.local>',
    smppUrl: env.SMPP_URL ?? 'smpp://127.0.0.1:2775',
    smppSystemId: env.SMPP_SYSTEM_ID ?? 'bss',
    smppPassword: env.SMPP_PASSWORD ?? 'bss',
    smsSender: env.SMS_SENDER ?? 'BSS',
    devOutbox: env.DEV_OUTBOX === 'true',
    reviewQueueEmail: env.REVIEW_QUEUE_EMAIL ?? 'identity-review@bss.local',
    supervisorEmail: env.SUPERVISOR_EMAIL ?? 'crm-supervisor@bss.local',
    reportTimeZone: env.REPORT_TIME_ZONE ?? 'Europe/Madrid',
    networkUrl: env.NETWORK_URL ?? 'tcp://127.0.0.1:7700',
    lowBalanceThreshold: env.LOW_BALANCE_THRESHOLD ?? '5.00',
  };
}
