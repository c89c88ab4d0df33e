/**
 * The provisioning command language: MML-like text statements sent to the network elements.
 *
 *   command  = VERB SP OBJECT [":" param *("," param)] ";"
 *   reply    = "RESP" ":" param *("," param) ";"        (CTAG, RETCODE, DESC, then any attributes)
 *   param    = NAME "=" value
 *   NAME     = [A-Z][A-Z0-9_]*        VERB, OBJECT likewise
 *   value    = bare / quoted
 *   bare     = 1*(any visible character except , ; = " and whitespace)
 *   quoted   = DQUOTE *(any character but " and \, or \" or \\) DQUOTE
 *
 * Whitespace (spaces, tabs, line breaks) may stand between tokens. `CTAG` (a decimal number) ties
 * a reply to its command, so many commands may be in flight on one connection. Pure: no I/O.
 */

/** A parsed command without its CTAG: `CREATE SUBSCRIBER: IMSI=…` is `{ verb: 'CREATE', object: 'SUBSCRIBER', params: { IMSI: '…' } }`. */
export interface MmlCommand {
  verb: string;
  object: string;
  /** Parameter values in the order written (CTAG excluded). */
  params: Record<string, string>;
}

/** A parsed command as it travels: the command and its correlation tag. */
export interface MmlTaggedCommand extends MmlCommand {
  ctag?: number;
}

/** A parsed reply: `RESP: CTAG=17, RETCODE=0, DESC="Operation succeeded";`. */
export interface MmlReply {
  ctag?: number;
  retcode: number;
  desc: string;
  /** Further attributes (what DISPLAY shows), in the order written. */
  attrs: Record<string, string>;
}

/**
 * Return codes. 0 is success (also for a create that found the same object, or a removal of
 * something absent: DESC says which). The others say why nothing changed.
 */
export const RETCODE = {
  SUCCESS: 0,
  /** Unknown verb or object, or a statement that does not parse. */
  INVALID_COMMAND: 1001,
  /** A parameter missing, unknown or with a malformed value. */
  INVALID_PARAMETER: 1002,
  /** An object with the same key exists with different data (or a key is used by another object). */
  CONFLICT: 1003,
  /** The object the command needs does not exist. */
  NOT_FOUND: 1004,
  /** The network element failed to execute it; nothing changed; another attempt may succeed. */
  ELEMENT_FAILURE: 1005,
  /** The simulator itself failed; nothing changed. */
  INTERNAL_ERROR: 1006,
} as const;

/** One of the RETCODE values. */
export type RetCode = (typeof RETCODE)[keyof typeof RETCODE];

/** Return codes that another attempt of the same command may turn into success. */
export const RETRYABLE_RETCODES: ReadonlySet<number> = new Set([RETCODE.ELEMENT_FAILURE, RETCODE.INTERNAL_ERROR]);

/** Longest statement accepted (characters, terminator included). */
export const MAX_STATEMENT_LENGTH = 4096;

/** A statement that does not parse; `column` is 1-based within the statement. */
export class MmlSyntaxError extends Error {
  override name = 'MmlSyntaxError';
  constructor(
    readonly reason: string,
    readonly column: number,
  ) {
    super(`${reason} at column ${column}`);
  }
}

const NAME = /[A-Z][A-Z0-9_]*/y;
const BARE_VALUE = /[^\s,;="\\]+/y;
const BARE_SAFE = /^[^\s,;="\\]+$/;
const SPACE = /\s*/y;

interface Statement {
  words: string[];
  params: Array<[string, string]>;
}

/** Reads one statement (`WORDS [: params];`), nothing but whitespace after it. */
function parseStatement(text: string): Statement {
  let pos = 0;
  const fail = (reason: string, at = pos): never => {
    throw new MmlSyntaxError(reason, at + 1);
  };
  const skipSpace = () => {
    SPACE.lastIndex = pos;
    SPACE.exec(text);
    pos = SPACE.lastIndex;
  };
  const describe = (at: number) => (at >= text.length ? 'end of input' : `"${text[at]}"`);
  const name = (what: string): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(text);
    if (!m) fail(`expected ${what} (capital letters, digits, _), found ${describe(pos)}`);
    pos = NAME.lastIndex;
    return m![0];
  };
  const value = (param: string): string => {
    if (text[pos] === '"') {
      let out = '';
      const start = pos;
      pos++;
      for (;;) {
        if (pos >= text.length) fail(`unterminated quoted value of ${param}`, start);
        const c = text[pos];
        if (c === '"') {
          pos++;
          return out;
        }
        if (c === '\\') {
          const next = text[pos + 1];
          if (next !== '"' && next !== '\\') fail(`invalid escape in value of ${param}: only \\" and \\\\ are allowed`);
          out += next;
          pos += 2;
        } else {
          out += c;
          pos++;
        }
      }
    }
    BARE_VALUE.lastIndex = pos;
    const m = BARE_VALUE.exec(text);
    if (!m) fail(`expected a value for ${param}, found ${describe(pos)}`);
    pos = BARE_VALUE.lastIndex;
    return m![0];
  };

  skipSpace();
  const words = [name('a verb')];
  skipSpace();
  if (text[pos] !== ':' && text[pos] !== ';') words.push(name('an object'));
  skipSpace();
  const params: Array<[string, string]> = [];
  if (text[pos] === ':') {
    pos++;
    skipSpace();
    if (text[pos] !== ';') {
      for (;;) {
        skipSpace();
        const paramAt = pos;
        const key = name('a parameter name');
        skipSpace();
        if (text[pos] !== '=') fail(`expected "=" after ${key}, found ${describe(pos)}`);
        pos++;
        skipSpace();
        const v = value(key);
        if (params.some(([k]) => k === key)) fail(`parameter ${key} given twice`, paramAt);
        params.push([key, v]);
        skipSpace();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        break;
      }
    }
  }
  if (text[pos] !== ';') fail(`expected "," or ";", found ${describe(pos)}`);
  pos++;
  skipSpace();
  if (pos < text.length) fail(`unexpected ${describe(pos)} after ";"`);
  return { words, params };
}

function parseCtag(value: string): number {
  if (!/^\d{1,9}$/.test(value)) throw new MmlSyntaxError(`CTAG must be a number of 1 to 9 digits, not "${value}"`, 1);
  return Number(value);
}

/** Parses a command (`VERB OBJECT: NAME=value, …;`); throws MmlSyntaxError naming what is wrong and where. */
export function parseCommand(text: string): MmlTaggedCommand {
  const { words, params } = parseStatement(text);
  if (words.length !== 2) throw new MmlSyntaxError(`expected an object after the verb ${words[0]}`, text.indexOf(words[0]) + words[0].length + 1);
  const result: MmlTaggedCommand = { verb: words[0], object: words[1], params: {} };
  for (const [key, value] of params) {
    if (key === 'CTAG') result.ctag = parseCtag(value);
    else result.params[key] = value;
  }
  return result;
}

/** Parses a reply (`RESP: CTAG=…, RETCODE=…, DESC=…[, attributes];`). */
export function parseReply(text: string): MmlReply {
  const { words, params } = parseStatement(text);
  if (words.length !== 1 || words[0] !== 'RESP') throw new MmlSyntaxError(`a reply starts with RESP, not ${words.join(' ')}`, 1);
  const map = new Map(params);
  const retcode = map.get('RETCODE');
  if (retcode === undefined || !/^\d{1,6}$/.test(retcode)) throw new MmlSyntaxError('a reply needs a numeric RETCODE', 1);
  const attrs: Record<string, string> = {};
  for (const [key, value] of params) if (!['CTAG', 'RETCODE', 'DESC'].includes(key)) attrs[key] = value;
  const ctag = map.get('CTAG');
  return { ...(ctag !== undefined ? { ctag: parseCtag(ctag) } : {}), retcode: Number(retcode), desc: map.get('DESC') ?? '', attrs };
}

/** A value as written: bare when it can be, else quoted with `"` and `\` escaped. */
export function formatValue(value: string): string {
  return BARE_SAFE.test(value) ? value : `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function formatParams(params: Array<[string, string]>): string {
  return params.map(([k, v]) => `${k}=${formatValue(v)}`).join(', ');
}

function assertName(name: string, what: string): void {
  if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new Error(`invalid ${what}: ${JSON.stringify(name)}`);
}

/** Writes a command, CTAG first when given: `CREATE SUBSCRIBER: CTAG=17, MSISDN=+34600000001;`. */
export function formatCommand(command: MmlCommand, ctag?: number): string {
  assertName(command.verb, 'verb');
  assertName(command.object, 'object');
  const params: Array<[string, string]> = ctag === undefined ? [] : [['CTAG', String(ctag)]];
  for (const [k, v] of Object.entries(command.params)) {
    assertName(k, 'parameter name');
    if (k !== 'CTAG') params.push([k, v]);
  }
  return params.length ? `${command.verb} ${command.object}: ${formatParams(params)};` : `${command.verb} ${command.object};`;
}

/** Writes a reply: `RESP: CTAG=17, RETCODE=0, DESC="Operation succeeded";` then any attributes. */
export function formatReply(reply: MmlReply): string {
  const params: Array<[string, string]> = reply.ctag === undefined ? [] : [['CTAG', String(reply.ctag)]];
  params.push(['RETCODE', String(reply.retcode)], ['DESC', reply.desc]);
  for (const [k, v] of Object.entries(reply.attrs)) {
    assertName(k, 'attribute name');
    params.push([k, v]);
  }
  // DESC is prose: always quoted, so that a reader sees it as one value.
  return `RESP: ${params.map(([k, v]) => `${k}=${k === 'DESC' ? `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"` : formatValue(v)}`).join(', ')};`;
}

/**
 * Best-effort CTAG of a statement that did not parse, so that even an error reply can be
 * correlated; undefined when none can be seen.
 */
export function salvageCtag(text: string): number | undefined {
  const m = /(?:^|[\s:,])CTAG\s*=\s*(\d{1,9})(?=\s*[,;]|\s*$)/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** A statement over the length limit; `statements` are the ones completed before it in the same chunk. */
export class MmlFrameError extends Error {
  override name = 'MmlFrameError';
  constructor(
    message: string,
    readonly statements: string[],
  ) {
    super(message);
  }
}

/**
 * Splits a character stream into statements: each ends at a `;` outside quotes. Feed it chunks as
 * they arrive; it keeps a partial statement until its end comes. A statement longer than
 * MAX_STATEMENT_LENGTH makes `push` throw MmlFrameError (the stream cannot be resynchronised: close it).
 */
export class MmlFramer {
  private buffer = '';
  private inQuotes = false;
  private escaped = false;
  private scanned = 0;

  constructor(private readonly maxLength = MAX_STATEMENT_LENGTH) {}

  /** Adds a chunk; returns the statements it completed (terminator included, surrounding whitespace trimmed). */
  push(chunk: string): string[] {
    this.buffer += chunk;
    const out: string[] = [];
    let start = 0;
    for (let i = this.scanned; i < this.buffer.length; i++) {
      const c = this.buffer[i];
      if (this.inQuotes) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') this.inQuotes = false;
      } else if (c === '"') {
        this.inQuotes = true;
      } else if (c === ';') {
        const statement = this.buffer.slice(start, i + 1).trim();
        if (statement.length > this.maxLength) throw new MmlFrameError(`statement longer than ${this.maxLength} characters`, out);
        out.push(statement);
        start = i + 1;
      }
    }
    this.buffer = this.buffer.slice(start);
    // Whitespace between statements is not the start of one.
    if (!this.inQuotes && this.buffer.trim() === '') this.buffer = '';
    this.scanned = this.buffer.length;
    if (this.buffer.length > this.maxLength) throw new MmlFrameError(`statement longer than ${this.maxLength} characters without ";"`, out);
    return out;
  }

  /** Characters waiting for their terminator. */
  get pending(): number {
    return this.buffer.length;
  }
}

/** The network elements the simulator stands in for (the names `SET FAULT` and `DISPLAY STATS` use). */
export const NETWORK_ELEMENTS = ['HLR', 'PCRF', 'OLT', 'CONTENT'] as const;
/** One of NETWORK_ELEMENTS. */
export type NetworkElementName = (typeof NETWORK_ELEMENTS)[number];

const OBJECT_ELEMENT: Record<string, NetworkElementName> = {
  SUBSCRIBER: 'HLR',
  DATAPOLICY: 'PCRF',
  PORT: 'OLT',
  ENTITLEMENT: 'CONTENT',
};

/** The element that owns an object (`SUBSCRIBER` → `HLR`); undefined for simulator objects (FAULT, STATS). */
export function elementOfObject(object: string): NetworkElementName | undefined {
  return OBJECT_ELEMENT[object];
}
