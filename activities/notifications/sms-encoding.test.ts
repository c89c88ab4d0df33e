import { concatenationUdh, gsmLength, isGsm7, parseConcatenationUdh, planSms, toGsm7 } from './sms-encoding';

describe('SMS encoding', () => {
  it('counts GSM septets, extension characters twice', () => {
    expect(gsmLength('Hola, ¿qué tal?')).toBe(15);
    expect(gsmLength('10 €')).toBe(5);
    expect(gsmLength('{[]}')).toBe(8);
    expect(isGsm7('número')).toBe(false);
    expect(Number.isNaN(gsmLength('número'))).toBe(true);
  });

  it('transliterates to GSM only when the whole text can be', () => {
    expect(toGsm7('Número de móvil: “ÁÍÓÚ” – Çç…')).toBe('Numero de movil: "AIOU" - ÇÇ...');
    expect(toGsm7('ñandú, pingüino, é')).toBe('ñandu, pingüino, é');
    expect(toGsm7('número 😀')).toBe('número 😀');
  });

  it('sends up to 160 GSM characters as one SMS, more in parts of 153', () => {
    expect(planSms('a'.repeat(160))).toEqual({ dataCoding: 0, parts: ['a'.repeat(160)] });
    const plan = planSms('a'.repeat(161));
    expect(plan.parts.map((p) => p.length)).toEqual([153, 8]);
    // An extension character is never split from its escape.
    const euros = planSms('a'.repeat(152) + '€' + 'b'.repeat(10));
    expect(euros.parts).toEqual(['a'.repeat(152), '€' + 'b'.repeat(10)]);
  });

  it('sends other text in UCS-2: 70 units, or parts of 67 without splitting a surrogate pair', () => {
    expect(planSms('ú'.repeat(70))).toEqual({ dataCoding: 8, parts: ['ú'.repeat(70)] });
    const plan = planSms('ú'.repeat(66) + '😀' + 'x'.repeat(10));
    expect(plan.dataCoding).toBe(8);
    expect(plan.parts).toEqual(['ú'.repeat(66), '😀' + 'x'.repeat(10)]);
  });

  it('writes and reads concatenation headers', () => {
    const udh = concatenationUdh(300, 3, 2);
    expect([...udh]).toEqual([5, 0, 3, 44, 3, 2]);
    expect(parseConcatenationUdh(udh)).toEqual({ reference: 44, total: 3, sequence: 2 });
    expect(parseConcatenationUdh(Buffer.from([6, 8, 4, 1, 2, 4, 1]))).toEqual({ reference: 258, total: 4, sequence: 1 });
    expect(parseConcatenationUdh(Buffer.from([3, 0x24, 1, 2]))).toBeUndefined();
  });

  it('refuses a text of more than 255 parts', () => {
    expect(() => planSms('a'.repeat(153 * 255 + 1))).toThrow('at most 255');
  });
});
