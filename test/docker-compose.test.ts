/** Structure of the production docker-compose.yml: services, ports, env, dependencies, pinned images. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

type Json = Record<string, unknown>;

interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, unknown> | string[];
  ports?: Array<string | number | { target: number; published?: string | number; host_ip?: string }>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  deploy?: { replicas?: number };
  container_name?: string;
  healthcheck?: { test?: string | string[] };
}

const composePath = path.join(__dirname, '..', 'docker-compose.yml');
// `merge: true`: the file shares settings through YAML merge keys (`<<: *app`), as Compose does.
const compose = parse(readFileSync(composePath, 'utf8'), { merge: true }) as Json;
const services = compose.services as Record<string, Service>;

const SEARCH_ATTRIBUTES = ['CustomerId', 'OrderId', 'OrderState', 'Msisdn', 'BillingAccountId'];

/** Compose interpolation, enough to read values: `${X:-default}` → default, any other `${X…}` → a placeholder. */
function interpolate(value: string): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g, (_m, _name, op: string | undefined, arg: string) =>
    op === ':-' || op === '-' ? arg : 'placeholder',
  );
}

function env(name: string): Record<string, string> {
  const raw = services[name].environment ?? {};
  const entries = Array.isArray(raw)
    ? raw.map((item) => {
        const i = item.indexOf('=');
        return i < 0 ? [item, ''] : [item.slice(0, i), item.slice(i + 1)];
      })
    : Object.entries(raw).map(([k, v]) => [k, v == null ? '' : String(v)]);
  return Object.fromEntries(entries);
}

/** depends_on in either form, as service → condition. */
function dependsOn(name: string): Record<string, string> {
  const raw = services[name].depends_on ?? {};
  if (Array.isArray(raw)) return Object.fromEntries(raw.map((s) => [s, 'service_started']));
  return Object.fromEntries(Object.entries(raw).map(([s, d]) => [s, d?.condition ?? 'service_started']));
}

/** Published ports, short ("[ip:]published:target[/proto]") or long syntax. */
function published(name: string): Array<{ published: number; target: number }> {
  return (services[name].ports ?? []).map((p) => {
    if (typeof p === 'object') return { published: Number(p.published), target: Number(p.target) };
    const parts = String(p).replace(/\/(tcp|udp)$/, '').split(':');
    const target = Number(parts[parts.length - 1]);
    return { published: parts.length > 1 ? Number(parts[parts.length - 2]) : NaN, target };
  });
}

function script(name: string): string {
  const s = services[name];
  return [s.entrypoint, s.command].flat().filter((x) => x != null).join('\n');
}

const EXPECTED = [
  'postgres',
  'temporal-admin-tools',
  'temporal',
  'temporal-create-namespace',
  'temporal-ui',
  'migrate',
  'api',
  'ocs',
  'worker',
];

describe('docker-compose.yml', () => {
  it('defines the expected services', () => {
    expect(Object.keys(services).sort()).toEqual([...EXPECTED].sort());
  });

  it('runs the OCS on the database alone, publishing Nchf on 8090, Gy on 3868 and its metrics and health (its health check) on 9464', () => {
    expect(script('ocs')).toContain('ocs');
    expect(published('ocs')).toEqual(expect.arrayContaining([{ published: 8090, target: 8090 }, { published: 3868, target: 3868 }, { published: 9464, target: 9464 }]));
    expect([services.ocs.healthcheck?.test ?? []].flat().join(' ')).toContain('9464/health');
    expect(Object.keys(services.ocs.depends_on ?? {}).sort()).toEqual(['migrate', 'postgres']);
    expect(new URL(interpolate(env('ocs').DATABASE_URL)).hostname).toBe('postgres');
  });

  it('publishes api on 3000, temporal-ui on 8233 (→ 8080) and temporal on 7233', () => {
    expect(published('api')).toContainEqual({ published: 3000, target: 3000 });
    expect(published('temporal-ui')).toContainEqual({ published: 8233, target: 8080 });
    expect(published('temporal')).toContainEqual({ published: 7233, target: 7233 });
  });

  it('keeps postgres off the host network', () => {
    expect(services.postgres.ports ?? []).toHaveLength(0);
  });

  it.each(['api', 'worker'])('gives %s the database, Temporal and auth settings', (name) => {
    const e = env(name);
    for (const key of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'JWT_SECRET', 'PII_KEY']) {
      expect(e[key]).toBeTruthy();
    }
    expect(new URL(interpolate(e.DATABASE_URL)).hostname).toBe('postgres');
    expect(interpolate(e.TEMPORAL_ADDRESS).split(':')[0]).toBe('temporal');
    expect(e.TEMPORAL_NAMESPACE).toBe('default');
    // The secret comes from the operator's environment and is required, never a default in the file.
    expect(e.JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?[^}]*\}$/);
    expect(e.PII_KEY).toMatch(/^\$\{PII_KEY:\?[^}]*\}$/);
    expect(e.NETWORK_URL).toMatch(/^\$\{NETWORK_URL:\?[^}]*\}$/);
  });

  it('points migrate at the same database', () => {
    expect(env('migrate').DATABASE_URL).toBe(env('api').DATABASE_URL);
  });

  it('runs migrate, api and worker from the app image with their npm scripts', () => {
    for (const [name, scriptName] of [['migrate', 'migrate'], ['api', 'api'], ['worker', 'worker']]) {
      expect(services[name].build).toBeDefined();
      expect([services[name].command].flat().join(' ')).toBe(`npm run ${scriptName}`);
    }
    expect(services.api.image).toBe(services.worker.image);
    expect(services.migrate.image).toBe(services.api.image);
  });

  it('starts api and worker after a successful migrate and a ready Temporal', () => {
    for (const name of ['api', 'worker']) {
      const deps = dependsOn(name);
      expect(deps.migrate).toBe('service_completed_successfully');
      expect(deps.temporal).toBeDefined();
      expect(deps['temporal-create-namespace']).toBe('service_completed_successfully');
    }
  });

  it('starts temporal after its schema setup succeeded', () => {
    expect(dependsOn('temporal')['temporal-admin-tools']).toBe('service_completed_successfully');
    expect(dependsOn('temporal-create-namespace').temporal).toBe('service_healthy');
  });

  it('makes everything that talks to PostgreSQL wait for it to be healthy', () => {
    const dbRelated = Object.keys(services).filter((name) => {
      const e = env(name);
      return 'DATABASE_URL' in e || 'POSTGRES_SEEDS' in e;
    });
    expect(dbRelated.sort()).toEqual(['api', 'migrate', 'ocs', 'temporal', 'temporal-admin-tools', 'worker']);
    for (const name of dbRelated) expect(dependsOn(name).postgres).toBe('service_healthy');
    expect(services.postgres.healthcheck?.test).toBeDefined();
  });

  it('names only existing services in depends_on', () => {
    for (const name of Object.keys(services)) {
      for (const dep of Object.keys(dependsOn(name))) expect(Object.keys(services)).toContain(dep);
    }
  });

  it('pins every image to a tag other than latest', () => {
    for (const [name, s] of Object.entries(services)) {
      if (!s.image) {
        expect(s.build).toBeDefined();
        continue;
      }
      const ref = interpolate(s.image).split('@')[0];
      const lastSlash = ref.lastIndexOf('/');
      const colon = ref.lastIndexOf(':');
      const tag = colon > lastSlash ? ref.slice(colon + 1) : '';
      expect({ name, tag }).toEqual({ name, tag: expect.stringMatching(/^[\w][\w.-]*$/) });
      expect(tag).not.toBe('latest');
    }
  });

  it('uses the same admin-tools release as the server', () => {
    const version = (image?: string) => image?.split(':')[1];
    expect(version(services['temporal-admin-tools'].image)).toBe(version(services.temporal.image));
    expect(services['temporal-create-namespace'].image).toBe(services['temporal-admin-tools'].image);
  });

  it('lets the worker scale: replicas, no container_name, no published ports', () => {
    const w = services.worker;
    expect(w.container_name).toBeUndefined();
    expect(w.ports ?? []).toHaveLength(0);
    expect(w.deploy?.replicas).toBeGreaterThanOrEqual(2);
  });

  it('has no container_name anywhere (names would clash between projects and replicas)', () => {
    for (const s of Object.values(services)) expect(s.container_name).toBeUndefined();
  });

  it('sets up both Temporal schemas with the postgres12 plugin', () => {
    const s = script('temporal-admin-tools');
    expect(env('temporal-admin-tools').DB).toBe('postgres12');
    expect(s).toContain('temporal-sql-tool');
    for (const db of ['temporal', 'temporal_visibility']) {
      expect(s).toMatch(new RegExp(`--db ${db} create-database`));
      expect(s).toMatch(new RegExp(`--db ${db} setup-schema -v 0\\.0`));
      expect(s).toMatch(new RegExp(`--db ${db} update-schema -d`));
    }
    expect(s).toContain('/etc/temporal/schema/postgresql/v12');
    expect(s).toMatch(/temporal\/versioned/);
    expect(s).toMatch(/visibility\/versioned/);
  });

  it('creates namespace default and all five Keyword search attributes', () => {
    const s = script('temporal-create-namespace');
    expect(s).toContain('operator cluster health');
    expect(s).toContain('operator namespace create');
    expect(env('temporal-create-namespace').TEMPORAL_NAMESPACE).toBe('default');
    expect(s).toContain('operator search-attribute create');
    expect(s).toContain('--type Keyword');
    for (const attr of SEARCH_ATTRIBUTES) expect(s).toMatch(new RegExp(`\\b${attr}\\b`));
  });

  it('escapes shell variables in scripts so Compose does not interpolate them', () => {
    for (const name of Object.keys(services)) {
      // `$$` is a literal `$` for the container; a lone `$` would be replaced by Compose.
      expect(script(name).replace(/\$\$/g, '')).not.toMatch(/\$/);
    }
  });

  it('health-checks the api on /health without curl', () => {
    const test = [services.api.healthcheck?.test].flat().join(' ');
    expect(test).toContain('/health');
    expect(test).toContain('node');
  });
});
