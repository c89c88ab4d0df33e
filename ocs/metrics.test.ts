/** The OCS's request counter tells a request refused for overload from one the engine failed. */
import { EngineOverloaded, type ChargingEngine, type ChargingRequest } from './engine';
import { createOcsMetrics } from './metrics';

/** An engine that charges with `charge` (quotes are not asked for here). */
const engineOf = (charge: ChargingEngine['charge']): ChargingEngine => ({ charge, quote: () => Promise.reject(new Error('no quotes')), refund: () => Promise.reject(new Error('no refunds')) });

const request: ChargingRequest = { sessionId: 's', requestNumber: 0, type: 'initial', subscriber: { msisdn: '+34600000001' }, eventTime: new Date(0), units: [] };

describe('OCS metrics', () => {
  it('counts a refusal for overload as overloaded and a failure as error', async () => {
    const metrics = createOcsMetrics();
    await expect(metrics.meter(engineOf(() => Promise.reject(new EngineOverloaded(10)))).charge(request)).rejects.toBeInstanceOf(EngineOverloaded);
    await expect(metrics.meter(engineOf(() => Promise.reject(new Error('database down')))).charge(request)).rejects.toThrow('database down');
    const text = await metrics.registry.metrics();
    expect(text).toContain('ocs_charge_requests_total{type="initial",result_code="overloaded"} 1');
    expect(text).toContain('ocs_charge_requests_total{type="initial",result_code="error"} 1');
  });

  it('counts answers by type and result code and times each, across calls', async () => {
    const metrics = createOcsMetrics();
    const answering = (resultCode: number) => metrics.meter(engineOf((r) => Promise.resolve({ sessionId: r.sessionId, requestNumber: r.requestNumber, resultCode, units: [] }) as never));
    await answering(2001).charge(request);
    await answering(2001).charge(request);
    await answering(4012).charge({ ...request, type: 'update' });
    const text = await metrics.registry.metrics();
    expect(text).toContain('ocs_charge_requests_total{type="initial",result_code="2001"} 2');
    expect(text).toContain('ocs_charge_requests_total{type="update",result_code="4012"} 1');
    expect(text).toContain('ocs_charge_duration_seconds_count{type="initial"} 2');
    expect(text).toContain('ocs_charge_duration_seconds_count{type="update"} 1');
  });

  it("counts re-authorisations by protocol, reason and the client's answer, and shows the sessions kept", async () => {
    const metrics = createOcsMetrics();
    const gy = metrics.meterReauthorizing('gy', { sessionCounts: () => ({ open: 12, waiting: 2 }), sessionClosed: () => undefined, reauthorize: async () => [{ sessionId: 'a', answer: 2002 }, { sessionId: 'b', error: 'not connected' }] });
    const nchf = metrics.meterReauthorizing('nchf', { sessionCounts: () => ({ open: 3, waiting: 0 }), sessionClosed: () => undefined, reauthorize: async () => [{ sessionId: 'c', answer: 204 }] });
    expect(await gy.reauthorize(['a', 'b'])).toHaveLength(2);
    await nchf.reauthorize(['c'], 'barred');
    const text = await metrics.registry.metrics();
    expect(text).toContain('ocs_reauthorizations_total{protocol="gy",reason="credit",answer="2002"} 1');
    expect(text).toContain('ocs_reauthorizations_total{protocol="gy",reason="credit",answer="none"} 1');
    expect(text).toContain('ocs_reauthorizations_total{protocol="nchf",reason="barred",answer="204"} 1');
    // The sessions each front end keeps, read at the scrape.
    expect(text).toContain('ocs_sessions{protocol="gy",state="open"} 12');
    expect(text).toContain('ocs_sessions{protocol="gy",state="waiting"} 2');
    expect(text).toContain('ocs_sessions{protocol="nchf",state="open"} 3');
  });

  it('counts balance checks and price enquiries as quotes, and refunds, by result code', async () => {
    const metrics = createOcsMetrics();
    const refunded = { sessionId: 'r', requestNumber: 0, resultCode: 2001 as const, units: [] };
    const engine = metrics.meter({ charge: () => Promise.reject(new Error('no charges')), quote: async () => ({ resultCode: 5030, enoughCredit: false }), refund: async () => refunded });
    expect(await engine.quote(request)).toEqual({ resultCode: 5030, enoughCredit: false });
    expect(await engine.refund({ sessionId: 'r', requestNumber: 0, subscriber: { msisdn: '+34600000001' }, units: [] })).toBe(refunded);
    const text = await metrics.registry.metrics();
    expect(text).toContain('ocs_charge_requests_total{type="refund",result_code="2001"} 1');
    expect(text).toContain('ocs_charge_requests_total{type="quote",result_code="5030"} 1');
    expect(text).toContain('ocs_charge_duration_seconds_count{type="quote"} 1');
  });
});
