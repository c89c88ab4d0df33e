import { uuidV5 } from './resource-id';

describe('name-based UUIDs', () => {
  it('matches the RFC 9562 example (DNS namespace, www.example.com)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('is stable per name and differs between names', () => {
    expect(uuidV5('msisdn:+34600000001')).toBe(uuidV5('msisdn:+34600000001'));
    expect(uuidV5('msisdn:+34600000001')).not.toBe(uuidV5('msisdn:+34600000002'));
    expect(uuidV5('sim:1')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
