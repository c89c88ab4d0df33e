import { CsvReader, CsvRecord } from './csv-reader';

/** Reads `text` in one chunk, and again cut at every position into two: all must agree. */
function readAll(text: string): CsvRecord[] {
  const whole = new CsvReader();
  const expected = [...whole.push(text), ...whole.end()];
  for (let cut = 0; cut <= text.length; cut++) {
    const r = new CsvReader();
    expect([...r.push(text.slice(0, cut)), ...r.push(text.slice(cut)), ...r.end()]).toEqual(expected);
  }
  return expected;
}

describe('CsvReader', () => {
  it('splits plain lines on commas, LF or CRLF, with or without a last line break', () => {
    expect(readAll('a,b,c\n1,2,3\r\n4,,6')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
      ['4', '', '6'],
    ]);
    expect(readAll('x,y\n')).toEqual([['x', 'y']]);
  });

  it('skips empty lines and keeps records of any length', () => {
    expect(readAll('\na,b\n\r\n\nc\n,\n')).toEqual([['a', 'b'], ['c'], ['', '']]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks', () => {
    expect(readAll('id,"a, b","say ""hi""","two\nlines",""\r\nnext,"x"\n"last"')).toEqual([
      ['id', 'a, b', 'say "hi"', 'two\nlines', ''],
      ['next', 'x'],
      ['last'],
    ]);
  });

  it('keeps a carriage return that does not end a line', () => {
    expect(readAll('a\rb,c\n"q"\r\n')).toEqual([['a\rb', 'c'], ['q']]);
  });

  it('reports a record that is not valid CSV and reads on at the next line', () => {
    expect(readAll('ok,1\nbad"quote,2\nok,3\n"closed"x,4\nok,5\n')).toEqual([
      ['ok', '1'],
      { error: 'invalid opening quote on line 2' },
      ['ok', '3'],
      { error: 'invalid closing quote on line 4' },
      ['ok', '5'],
    ]);
  });

  it('reports a quote never closed at the end of the input', () => {
    expect(readAll('ok,1\n"open,2\nmore\n')).toEqual([['ok', '1'], { error: 'quote not closed, opened on line 2' }]);
  });

  it('hands back records as chunks complete them', () => {
    const r = new CsvReader();
    expect(r.push('a,b\nc,')).toEqual([['a', 'b']]);
    expect(r.push('d\n"e')).toEqual([['c', 'd']]);
    expect(r.push('"\n')).toEqual([['e']]);
    expect(r.end()).toEqual([]);
  });
});
