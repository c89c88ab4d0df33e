import {
  elementOfObject,
  formatCommand,
  formatReply,
  formatValue,
  MmlFrameError,
  MmlFramer,
  MmlSyntaxError,
  parseCommand,
  parseReply,
  RETCODE,
  salvageCtag,
} from './mml';

/** The error a parse throws, as `reason at column n`. */
function syntaxError(parse: () => unknown): string {
  try {
    parse();
  } catch (err) {
    if (err instanceof MmlSyntaxError) return err.message;
    throw err;
  }
  throw new Error('parsed without error');
}

describe('formatCommand', () => {
  it('writes CTAG first, then the parameters in order', () => {
    expect(
      formatCommand(
        { verb: 'CREATE', object: 'SUBSCRIBER', params: { MSISDN: '+34600000001', IMSI: '214010000000001', ICCID: '8934010000000000001', PROFILE: 'PREPAID' } },
        17,
      ),
    ).toBe('CREATE SUBSCRIBER: CTAG=17, MSISDN=+34600000001, IMSI=214010000000001, ICCID=8934010000000000001, PROFILE=PREPAID;');
    expect(formatCommand({ verb: 'ACTIVATE', object: 'PORT', params: { NODE: 'OLT-MAD-01', PORT: '1/1/7', DOWNLINK: '600', UPLINK: '600' } })).toBe(
      'ACTIVATE PORT: NODE=OLT-MAD-01, PORT=1/1/7, DOWNLINK=600, UPLINK=600;',
    );
  });

  it('writes a command without parameters without a colon', () => {
    expect(formatCommand({ verb: 'DISPLAY', object: 'STATS', params: {} }, 3)).toBe('DISPLAY STATS: CTAG=3;');
    expect(formatCommand({ verb: 'DISPLAY', object: 'STATS', params: {} })).toBe('DISPLAY STATS;');
  });

  it('quotes values with spaces, commas, semicolons, quotes or backslashes', () => {
    expect(formatValue('VIDEO-PREMIUM')).toBe('VIDEO-PREMIUM');
    expect(formatValue('two words')).toBe('"two words"');
    expect(formatValue('a,b;c')).toBe('"a,b;c"');
    expect(formatValue('say "hi" \\o/')).toBe('"say \\"hi\\" \\\\o/"');
    expect(formatValue('')).toBe('""');
    expect(formatValue('a=b')).toBe('"a=b"');
  });

  it('refuses names that are not names', () => {
    expect(() => formatCommand({ verb: 'create', object: 'SUBSCRIBER', params: {} })).toThrow('invalid verb: "create"');
    expect(() => formatCommand({ verb: 'SET', object: 'DATAPOLICY', params: { 'UP LINK': '1' } })).toThrow('invalid parameter name: "UP LINK"');
  });
});

describe('parseCommand', () => {
  it('reads verb, object, CTAG and parameters', () => {
    expect(parseCommand('GRANT ENTITLEMENT: CTAG=9, SUBSCRIBER=cust-1, PRODUCT=VIDEO-PREMIUM;')).toEqual({
      verb: 'GRANT',
      object: 'ENTITLEMENT',
      ctag: 9,
      params: { SUBSCRIBER: 'cust-1', PRODUCT: 'VIDEO-PREMIUM' },
    });
    expect(parseCommand('DISPLAY STATS;')).toEqual({ verb: 'DISPLAY', object: 'STATS', params: {} });
    expect(parseCommand('DISPLAY STATS:;')).toEqual({ verb: 'DISPLAY', object: 'STATS', params: {} });
  });

  it('allows whitespace and line breaks between tokens', () => {
    expect(parseCommand('  SET   DATAPOLICY :\n IMSI = 214010000000001 ,\tDOWNLINK=100,UPLINK=50 ;  ')).toEqual({
      verb: 'SET',
      object: 'DATAPOLICY',
      params: { IMSI: '214010000000001', DOWNLINK: '100', UPLINK: '50' },
    });
  });

  it('reads quoted values with escapes', () => {
    expect(parseCommand('GRANT ENTITLEMENT: SUBSCRIBER="a, b; c", PRODUCT="say \\"hi\\" \\\\";').params).toEqual({ SUBSCRIBER: 'a, b; c', PRODUCT: 'say "hi" \\' });
  });

  it('round-trips what formatCommand writes', () => {
    const cmd = { verb: 'GRANT', object: 'ENTITLEMENT', params: { SUBSCRIBER: 'x "y", z;', PRODUCT: 'P' } };
    expect(parseCommand(formatCommand(cmd, 42))).toEqual({ ...cmd, ctag: 42 });
  });

  it('names what is wrong and where', () => {
    expect(syntaxError(() => parseCommand('CREATE SUBSCRIBER: IMSI=1'))).toBe('expected "," or ";", found end of input at column 26');
    expect(syntaxError(() => parseCommand('CREATE SUBSCRIBER: IMSI 1;'))).toBe('expected "=" after IMSI, found "1" at column 25');
    expect(syntaxError(() => parseCommand('CREATE SUBSCRIBER: IMSI=;'))).toBe('expected a value for IMSI, found ";" at column 25');
    expect(syntaxError(() => parseCommand('create subscriber;'))).toBe('expected a verb (capital letters, digits, _), found "c" at column 1');
    expect(syntaxError(() => parseCommand('CREATE subscriber;'))).toBe('expected an object (capital letters, digits, _), found "s" at column 8');
    expect(syntaxError(() => parseCommand('CREATE;'))).toBe('expected an object after the verb CREATE at column 7');
    expect(syntaxError(() => parseCommand('SET X: A=1, A=2;'))).toBe('parameter A given twice at column 13');
    expect(syntaxError(() => parseCommand('SET X: A="open;'))).toBe('unterminated quoted value of A at column 10');
    expect(syntaxError(() => parseCommand('SET X: A="\\n";'))).toBe('invalid escape in value of A: only \\" and \\\\ are allowed at column 11');
    expect(syntaxError(() => parseCommand('SET X: A=1; SET'))).toBe('unexpected "S" after ";" at column 13');
    expect(syntaxError(() => parseCommand('SET X: A=1,;'))).toBe('expected a parameter name (capital letters, digits, _), found ";" at column 12');
    expect(syntaxError(() => parseCommand('SET X: CTAG=abc;'))).toBe('CTAG must be a number of 1 to 9 digits, not "abc" at column 1');
    expect(syntaxError(() => parseCommand(''))).toBe('expected a verb (capital letters, digits, _), found end of input at column 1');
  });
});

describe('replies', () => {
  it('formats and parses a reply, DESC always quoted', () => {
    const text = 'RESP: CTAG=17, RETCODE=0, DESC="Operation succeeded";';
    expect(formatReply({ ctag: 17, retcode: RETCODE.SUCCESS, desc: 'Operation succeeded', attrs: {} })).toBe(text);
    expect(parseReply(text)).toEqual({ ctag: 17, retcode: 0, desc: 'Operation succeeded', attrs: {} });
  });

  it('carries attributes after DESC', () => {
    const text = formatReply({ ctag: 2, retcode: 0, desc: 'Subscriber found', attrs: { IMSI: '214010000000001', BARRING: 'NONE', NOTE: 'a b' } });
    expect(text).toBe('RESP: CTAG=2, RETCODE=0, DESC="Subscriber found", IMSI=214010000000001, BARRING=NONE, NOTE="a b";');
    expect(parseReply(text).attrs).toEqual({ IMSI: '214010000000001', BARRING: 'NONE', NOTE: 'a b' });
  });

  it('allows a reply without CTAG and refuses one without RETCODE', () => {
    expect(parseReply('RESP: RETCODE=1001, DESC="Syntax error";')).toEqual({ retcode: 1001, desc: 'Syntax error', attrs: {} });
    expect(syntaxError(() => parseReply('RESP: CTAG=1, DESC="x";'))).toBe('a reply needs a numeric RETCODE at column 1');
    expect(syntaxError(() => parseReply('CREATE SUBSCRIBER: RETCODE=0;'))).toBe('a reply starts with RESP, not CREATE SUBSCRIBER at column 1');
  });

  it('documents its return codes', () => {
    expect(RETCODE).toEqual({ SUCCESS: 0, INVALID_COMMAND: 1001, INVALID_PARAMETER: 1002, CONFLICT: 1003, NOT_FOUND: 1004, ELEMENT_FAILURE: 1005, INTERNAL_ERROR: 1006 });
  });
});

describe('salvageCtag', () => {
  it('finds the CTAG of a statement that does not parse', () => {
    expect(salvageCtag('CREATE SUBSCRIBER: CTAG=5, IMSI=;')).toBe(5);
    expect(salvageCtag('garbage CTAG=77;')).toBe(77);
    expect(salvageCtag('NOCTAG=1;')).toBeUndefined();
    expect(salvageCtag('X: CTAG=12a;')).toBeUndefined();
  });
});

describe('MmlFramer', () => {
  it('splits statements at ";" outside quotes, across chunks', () => {
    const framer = new MmlFramer();
    expect(framer.push('DISPLAY STATS;\nSET X: A="a;')).toEqual(['DISPLAY STATS;']);
    expect(framer.pending).toBe(13); // the line break before SET included
    expect(framer.push('b\\";c";  DISPLAY')).toEqual(['SET X: A="a;b\\";c";']);
    expect(framer.push(' FAULT;\r\n')).toEqual(['DISPLAY FAULT;']);
    expect(framer.pending).toBe(0);
  });

  it('throws on a statement longer than its limit', () => {
    const framer = new MmlFramer(10);
    expect(() => framer.push('A'.repeat(11))).toThrow('statement longer than 10 characters without ";"');
    expect(() => new MmlFramer(10).push(`${'A'.repeat(20)};`)).toThrow('statement longer than 10 characters');
    try {
      new MmlFramer(10).push(`A B;${'C'.repeat(20)}`);
      throw new Error('no overflow');
    } catch (err) {
      expect(err).toBeInstanceOf(MmlFrameError);
      expect((err as MmlFrameError).statements).toEqual(['A B;']);
    }
  });
});

describe('elementOfObject', () => {
  it('maps objects to the element that owns them', () => {
    expect(['SUBSCRIBER', 'DATAPOLICY', 'PORT', 'ENTITLEMENT', 'FAULT'].map(elementOfObject)).toEqual(['HLR', 'PCRF', 'OLT', 'CONTENT', undefined]);
  });
});
