/**
 * Stream framing: however TCP cuts the bytes, the same messages come out, and a header that
 * cannot be right is refused instead of waiting for bytes that will never make sense.
 */
import { avp, DiameterFramingError, encodeMessage, type DiameterMessage } from './codec';
import { DiameterFramer } from './framer';
import { mulberry32 } from '../../domain/seeded-random';

const message = (n: number, extra = ''): DiameterMessage => ({
  flags: { request: true, proxiable: true, error: false, retransmit: n % 2 === 1 },
  commandCode: 272,
  applicationId: 4,
  hopByHop: n,
  endToEnd: 1000 + n,
  avps: [avp('Session-Id', `s;${n}${extra}`), avp('CC-Request-Number', n), avp('CC-Total-Octets', BigInt(n) * 10_000_000_000n)],
});

describe('DiameterFramer', () => {
  const messages = [0, 1, 2, 3, 4].map((n) => encodeMessage(message(n, 'x'.repeat(n * 7))));
  const stream = Buffer.concat(messages);

  it('gives the same messages for a stream split in two at every byte boundary', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const framer = new DiameterFramer();
      const out = [...framer.push(stream.subarray(0, cut)), ...framer.push(stream.subarray(cut))];
      expect(out).toEqual(messages);
      expect(framer.buffered).toBe(0);
    }
  });

  it('gives the same messages for 200 random chunkings, one byte at a time included', () => {
    const next = mulberry32(42);
    for (let round = 0; round < 200; round++) {
      const framer = new DiameterFramer();
      const out: Buffer[] = [];
      let offset = 0;
      const maxChunk = round === 0 ? 1 : 1 + Math.floor(next() * 120);
      while (offset < stream.length) {
        const size = 1 + Math.floor(next() * maxChunk);
        out.push(...framer.push(stream.subarray(offset, offset + size)));
        offset += size;
      }
      expect(out).toEqual(messages);
    }
  });

  it('holds a partial message until the rest arrives', () => {
    const framer = new DiameterFramer();
    expect(framer.push(messages[1].subarray(0, 25))).toEqual([]);
    expect(framer.buffered).toBe(25);
    expect(framer.push(messages[1].subarray(25))).toEqual([messages[1]]);
  });

  it('refuses a wrong version, a length below the header or not a multiple of 4, and a huge length', () => {
    const bad = (bytes: string) => () => new DiameterFramer(65536).push(Buffer.from(bytes, 'hex'));
    expect(bad('02000014')).toThrow(DiameterFramingError);
    expect(bad('01000010')).toThrow(/invalid message length 16/);
    expect(bad('01000015')).toThrow(/invalid message length 21/);
    expect(bad('01ffffff')).toThrow(DiameterFramingError);
    expect(bad('01fffff0')).toThrow(/over the limit/);
  });
});
