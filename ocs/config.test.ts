/** The OCS configuration read from the environment: defaults, and refusals that name the variable. */
import { DEFAULT_ENGINE_CONFIG } from './engine/engine';
import { loadOcsConfig } from './config';

const env = { DATABASE_URL: 'postgres://ocs@localhost/bss' };

describe('OCS configuration', () => {
  it('ends a data session at its final units unless a top-up portal is given, which must be an http(s) URL', () => {
    expect(loadOcsConfig(env).engine).toEqual(DEFAULT_ENGINE_CONFIG);
    expect(loadOcsConfig({ ...env, OCS_FINAL_UNIT_REDIRECT_URL: 'https://topup.example.com/prepaid' }).engine.finalUnitRedirect).toBe('https://topup.example.com/prepaid');
    for (const bad of ['topup.example.com', 'ftp://topup.example.com/', 'javascript:alert(1)']) {
      expect(() => loadOcsConfig({ ...env, OCS_FINAL_UNIT_REDIRECT_URL: bad })).toThrow(/OCS_FINAL_UNIT_REDIRECT_URL/);
    }
  });

  it('restricts a data session to a filter after its final units where one is named: a Filter-Id of printable characters', () => {
    expect(loadOcsConfig({ ...env, OCS_FINAL_UNIT_FILTER_ID: 'topup-and-care' }).engine.finalUnitFilterId).toBe('topup-and-care');
    expect(loadOcsConfig(env).engine.finalUnitFilterId).toBeUndefined();
    for (const bad of ['', 'two words', 'x'.repeat(254), 'tab\there']) {
      expect(() => loadOcsConfig({ ...env, OCS_FINAL_UNIT_FILTER_ID: bad })).toThrow(/OCS_FINAL_UNIT_FILTER_ID/);
    }
  });

  it('sends quota thresholds and a holding time only where configured: a percent below 100, whole seconds', () => {
    expect(loadOcsConfig(env).engine).toMatchObject({ quotaThresholdPercent: 0, quotaHoldingTime: 0 });
    expect(loadOcsConfig({ ...env, OCS_QUOTA_THRESHOLD_PERCENT: '20', OCS_QUOTA_HOLDING_TIME: '120' }).engine).toMatchObject({ quotaThresholdPercent: 20, quotaHoldingTime: 120 });
    for (const bad of ['100', '-1', '12.5', 'a fifth']) expect(() => loadOcsConfig({ ...env, OCS_QUOTA_THRESHOLD_PERCENT: bad })).toThrow(/OCS_QUOTA_THRESHOLD_PERCENT/);
    expect(() => loadOcsConfig({ ...env, OCS_QUOTA_HOLDING_TIME: '-5' })).toThrow(/OCS_QUOTA_HOLDING_TIME/);
  });

  it('tells Gy clients what to do when no OCS answers only where configured, one of the three RFC 4006 ways', () => {
    expect(loadOcsConfig(env).gy.failureHandling).toBeUndefined();
    expect(loadOcsConfig({ ...env, OCS_GY_FAILURE_HANDLING: 'CONTINUE' }).gy.failureHandling).toBe('CONTINUE');
    expect(() => loadOcsConfig({ ...env, OCS_GY_FAILURE_HANDLING: 'continue' })).toThrow(/OCS_GY_FAILURE_HANDLING/);
  });

  it('refuses a session timeout shorter than a grant can last (validity time and the reservation grace)', () => {
    expect(() => loadOcsConfig({ ...env, OCS_VALIDITY_TIME: '3600' })).toThrow(/OCS_SESSION_TIMEOUT \(1800\) must be at least OCS_VALIDITY_TIME \+ OCS_RESERVATION_GRACE \(3630\)/);
    expect(loadOcsConfig({ ...env, OCS_VALIDITY_TIME: '3600', OCS_SESSION_TIMEOUT: '3630' }).engine).toMatchObject({ validityTime: 3600, sessionTimeout: 3630, reservationGrace: 30 });
  });

  it('refuses a configuration without a database, naming it', () => {
    expect(() => loadOcsConfig({})).toThrow(/DATABASE_URL/);
  });
});
