/**
 * A CSV reader (RFC 4180: comma separated, fields in double quotes may hold commas, line breaks
 * and doubled quotes; lines end in LF or CRLF) fed with text as it is read, handing back whole
 * records a chunk at a time. A usage file has millions of short, unquoted lines: those take a
 * fast path (one split per line) and records come back in arrays, not one promise each as from
 * a stream parser. Empty lines are skipped; records may have any number of fields; a record that
 * is not valid CSV comes back as an error and reading goes on at the next line.
 */

/** A record's fields, or why the record is not valid CSV. */
export type CsvRecord = string[] | { error: string };

const QUOTE = 34; // "
const COMMA = 44;
const CR = 13;
const LF = 10;

/** Parses CSV text pushed chunk by chunk; `end()` when the input is over. */
export class CsvReader {
  private pending = '';
  private line = 1;

  /** The records completed by this chunk of text (a record cut by the chunk's end waits for the next). */
  push(text: string): CsvRecord[] {
    const records: CsvRecord[] = [];
    let start = 0;
    // The record cut by the last chunk is finished line by line in a small string of its own: the
    // chunk is never appended to it, as searching a joined (cons) string can copy it over and over.
    while (this.pending) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) {
        this.pending += text.slice(start);
        return records;
      }
      const head = this.pending + text.slice(start, nl + 1);
      start = nl + 1;
      this.pending = head.slice(this.read(head, records, false));
    }
    const rest = start ? text.slice(start) : text;
    this.pending = rest.slice(this.read(rest, records, false));
    return records;
  }

  /** The records left at the end of the input (a last line without a line break, an unclosed quote). */
  end(): CsvRecord[] {
    const records: CsvRecord[] = [];
    if (this.pending) this.read(this.pending, records, true);
    this.pending = '';
    return records;
  }

  /** Reads whole records from `data` into `records`; returns where the unread rest starts. */
  private read(data: string, records: CsvRecord[], final: boolean): number {
    let pos = 0;
    while (pos < data.length) {
      const quote = data.indexOf('"', pos);
      // The whole lines before the line of the next quote hold none: they are split all at once.
      const plainEnd = quote >= 0 ? data.lastIndexOf('\n', quote) + 1 : final ? data.length : data.lastIndexOf('\n') + 1;
      if (plainEnd > pos) {
        this.readPlain(data.slice(pos, plainEnd), records);
        pos = plainEnd;
      }
      if (quote < 0) return pos;
      const next = this.readQuoted(data, pos, records, final);
      if (next < 0) return pos; // a quoted field goes on past what was read so far
      pos = next;
    }
    return pos;
  }

  /** Reads lines without quotes: each a record of the fields between commas. */
  private readPlain(text: string, records: CsvRecord[]): void {
    const lines = text.split('\n');
    // The text ends with a line break, except at the end of the input: then its last line is whole too.
    const whole = text.charCodeAt(text.length - 1) === LF ? lines.length - 1 : lines.length;
    for (let k = 0; k < whole; k++) {
      const line = lines[k];
      const end = line.length > 0 && line.charCodeAt(line.length - 1) === CR ? line.length - 1 : line.length;
      if (end > 0) records.push((end === line.length ? line : line.slice(0, end)).split(','));
    }
    this.line += whole;
  }

  /**
   * Reads one record that has a quote, character by character, from `start`; returns where the
   * next record starts, or -1 when the record is not complete yet (more text is needed).
   */
  private readQuoted(data: string, start: number, records: CsvRecord[], final: boolean): number {
    const fields: string[] = [];
    let field = '';
    let i = start;
    let lines = 0;
    // Reading goes on after the line the fault is on, once that line has been read whole.
    const fail = (reason: string): number => {
      const nl = data.indexOf('\n', i);
      if (nl < 0 && !final) return -1;
      records.push({ error: `${reason} on line ${this.line + lines}` });
      this.line += lines + 1;
      return nl < 0 ? data.length : nl + 1;
    };
    for (;;) {
      // At the start of a field.
      if (i < data.length && data.charCodeAt(i) === QUOTE) {
        i++;
        for (;;) {
          const q = data.indexOf('"', i);
          if (q < 0) {
            if (!final) return -1;
            i = data.length;
            records.push({ error: `quote not closed, opened on line ${this.line + lines}` });
            this.line += lines + 1;
            return data.length;
          }
          const part = data.slice(i, q);
          for (let k = part.indexOf('\n'); k >= 0; k = part.indexOf('\n', k + 1)) lines++;
          field += part;
          if (q + 1 === data.length && !final) return -1; // "" or the closing quote: the next chunk says
          if (data.charCodeAt(q + 1) === QUOTE) {
            field += '"';
            i = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        const c = i < data.length ? data.charCodeAt(i) : LF;
        if (c === CR && i + 1 >= data.length && !final) return -1;
        if (c !== COMMA && c !== LF && !(c === CR && (i + 1 >= data.length || data.charCodeAt(i + 1) === LF))) return fail('invalid closing quote');
      } else {
        let j = i;
        while (j < data.length) {
          const c = data.charCodeAt(j);
          if (c === COMMA || c === LF) break;
          if (c === QUOTE) {
            i = j;
            return fail('invalid opening quote');
          }
          j++;
        }
        if (j >= data.length && !final) return -1;
        field = data.slice(i, j > i && data.charCodeAt(j - 1) === CR && (j >= data.length || data.charCodeAt(j) === LF) ? j - 1 : j);
        i = j;
      }
      fields.push(field);
      field = '';
      const c = i < data.length ? data.charCodeAt(i) : LF;
      if (c === COMMA) {
        i++;
        continue;
      }
      // End of the record: CR LF, LF, or the end of the input.
      if (c === CR) i++;
      if (i < data.length) i++;
      records.push(fields);
      this.line += lines + 1;
      return i;
    }
  }
}
