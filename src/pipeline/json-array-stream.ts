// The elements of a JSON array in a file, read in chunks and parsed one at a time as each is complete: a file of any
// size is never held whole (at most a chunk and one element). The array is the file's top-level value, or the value
// of one of the given keys of a top-level object (`{"results": [...]}`): the first such array in the file is read.
//
// A malformed element is reported (its text and why) and the elements after it are still read. A file with no such
// array — not JSON at all, or JSON of another shape — throws `JsonArrayNotFound` before any element is given. What
// follows the array is checked too: a problem there (the file cut short, more after the JSON) is reported last —
// unless the file is read as several values one after another (`concatenated`), each with its array.
import { createReadStream } from 'node:fs';

export interface JsonArrayOptions {
  /** Keys of a top-level object whose array is read (the first one in the file); a top-level array is read anyway. */
  keys?: readonly string[];
  /** Bytes read at a time (default 64 KiB). */
  chunkSize?: number;
  /** An element longer than this many characters is reported (with its first 1,000), not parsed (default 16 Mi). */
  maxElementChars?: number;
  /**
   * The file may hold several top-level values one after another (listing pages saved back to back): after a value
   * whose array was read, the array of each next one is read too, its elements numbered on; a next value without
   * one is reported. Off: anything after the first value is reported as a problem.
   */
  concatenated?: boolean;
}

/** An element of the array (`number` counts from 1), parsed; or a part of the file that could not be read, and why. */
export type JsonArrayEntry = { number: number; value: unknown } | { number: number | null; problem: string; text: string };

/** The file has no array to read: it is not JSON (`notJson`), or its JSON has no array where one is looked for. */
export class JsonArrayNotFound extends Error {
  override name = 'JsonArrayNotFound';
  constructor(
    message: string,
    readonly notJson: boolean,
  ) {
    super(message);
  }
}

/** The elements of the array in `file` (see the top of this module), streamed. */
export async function* jsonArrayElements(file: string, options: JsonArrayOptions = {}): AsyncGenerator<JsonArrayEntry> {
  const scanner = new JsonArrayScanner(options);
  // With an encoding, the stream decodes UTF-8 across chunk boundaries (a character split in two is kept whole).
  const chunks = createReadStream(file, { encoding: 'utf8', highWaterMark: options.chunkSize ?? 64 * 1024 });
  try {
    for await (const chunk of chunks) {
      for (const found of scanner.push(chunk as string)) yield entryOf(found);
      if (scanner.finished) break;
    }
    for (const found of scanner.end()) yield entryOf(found);
  } finally {
    chunks.destroy();
  }
}

/** What the scanner finds: the text of an element, or a problem. */
export type ScannedPart = { number: number; text: string } | { number: number | null; problem: string; text: string };

function entryOf(found: ScannedPart): JsonArrayEntry {
  if ('problem' in found) return found;
  try {
    return { number: found.number, value: JSON.parse(found.text) };
  } catch (error) {
    return { number: found.number, problem: `element ${found.number} is not valid JSON (${(error as Error).message})`, text: found.text };
  }
}

/** Where the scanner is, outside any value it is reading. */
type Mode =
  | 'document' // before the top-level value
  | 'objectFirst' // after the top-level `{`: a key or `}`
  | 'objectNext' // after a `,` between members: a key
  | 'colon'
  | 'memberValue'
  | 'afterMember' // `,` or `}`
  | 'arrayFirst' // after the array's `[`: an element or `]`
  | 'arrayNext' // after a `,` between elements
  | 'afterElement' // `,` or `]`
  | 'after' // after the top-level value: only whitespace
  | 'ignore'; // a problem after the array was reported: the rest is not read

/** What a value being read is: the top-level value (not an array or object), a key, another member's value, an element. */
type Role = 'top' | 'key' | 'member' | 'element';

/** The longest top-level scalar, key or skipped member value read whole (for its checks); longer ones are only scanned. */
const maxEnvelopeChars = 1 << 20;
/** A problem's text is cut to this many characters when the element was too long to keep. */
const shownChars = 1000;
const stringStops = /["\\]/g;

/**
 * The state machine behind `jsonArrayElements`: fed decoded text chunk by chunk, it answers the texts of the
 * elements each chunk completes. Outside the array it checks JSON's structure; inside, it only follows strings and
 * brackets to find where each element ends (`JSON.parse` then checks the element), so that one malformed element
 * does not stop the others from being read.
 */
export class JsonArrayScanner {
  private readonly keys: ReadonlySet<string>;
  private readonly maxElementChars: number;
  private readonly concatenated: boolean;
  /** Top-level values whose array was read before the current one (with `concatenated`). */
  private valuesRead = 0;
  private mode: Mode = 'document';
  private started = false;
  /** Characters before the current chunk (after a byte order mark). */
  private offset = 0;
  /** The array has been entered (problems are reported from then on, not thrown); `inObject`: as a member's value. */
  private found = false;
  private inObject = false;
  private key: string | null = null;
  private elements = 0;
  private missingComma = false;
  /**
   * Why the file's JSON has no array to read, once its top-level value has ended without one; thrown at the end of
   * the file, unless more follows (a JSONL file named `.json`): then it is not JSON.
   */
  private shapeProblem: string | null = null;
  /** The value being read, if any. */
  private value: { role: Role; start: number; pending: string; length: number; depth: number; inString: boolean; escaped: boolean; over: boolean } | null = null;

  constructor(options: Pick<JsonArrayOptions, 'keys' | 'maxElementChars' | 'concatenated'> = {}) {
    this.keys = new Set(options.keys ?? []);
    this.maxElementChars = options.maxElementChars ?? 16 * 1024 * 1024;
    this.concatenated = options.concatenated ?? false;
  }

  /** Nothing more needs reading (a problem after the array was reported). */
  get finished(): boolean {
    return this.mode === 'ignore';
  }

  push(text: string): ScannedPart[] {
    const out: ScannedPart[] = [];
    let chunk = text;
    if (!this.started && chunk !== '') {
      this.started = true;
      // A byte order mark (as some Windows tools write) is not JSON, but says nothing about the content: dropped.
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    let i = 0;
    while (i < chunk.length && this.mode !== 'ignore') {
      if (this.value) {
        i = this.scanValue(chunk, i, out);
        continue;
      }
      const c = chunk[i]!;
      if (c === ' ' || c === '\n' || c === '\r' || c === '\t') i++;
      else i = this.step(c, chunk, i, out);
    }
    if (this.value) this.carry(chunk);
    this.offset += chunk.length;
    return out;
  }

  /** The end of the file: what is cut short is reported (or thrown, before the array). */
  end(): ScannedPart[] {
    const out: ScannedPart[] = [];
    const value = this.value;
    if (value?.role === 'top') this.endValue('', 0, out);
    else if (value) {
      this.value = null;
      if (value.role === 'element') {
        out.push({ number: this.elements + 1, problem: `the file ends inside element ${this.elements + 1} (cut short?)`, text: shown(value.pending) });
        return out;
      }
      this.fail(`the file ends inside ${value.role === 'key' ? 'a key' : `the value of "${this.key}"`} (cut short?)`, 0, out);
      return out;
    }
    switch (this.mode) {
      case 'document':
        throw new JsonArrayNotFound('the file is empty, or only white space', true);
      case 'arrayFirst':
      case 'arrayNext':
      case 'afterElement':
        out.push({ number: null, problem: `the file ends before the array does, after element ${this.elements} (cut short?)`, text: '' });
        break;
      case 'after':
        if (this.shapeProblem !== null && this.valuesRead > 0) {
          out.push({ number: null, problem: `top-level value ${this.valuesRead + 1} of the file: ${this.shapeProblem.replace(/^the top-level object/, 'an object')}`, text: '' });
        } else if (this.shapeProblem !== null) throw new JsonArrayNotFound(this.shapeProblem, false);
        break;
      case 'ignore':
        break;
      default:
        this.fail('the file ends before its top-level object does (cut short?)', 0, out);
    }
    return out;
  }

  /** One structural character outside any value; answers where to go on. */
  private step(c: string, chunk: string, i: number, out: ScannedPart[]): number {
    switch (this.mode) {
      case 'document':
        if (c === '[') return this.enterArray(false, i);
        if (c === '{') {
          this.mode = 'objectFirst';
          return i + 1;
        }
        return this.beginValue('top', i);
      case 'objectFirst':
      case 'objectNext':
        if (c === '"') return this.beginValue('key', i);
        if (c === '}' && this.mode === 'objectFirst') return this.closeObject(i);
        return this.fail(`expected a key in double quotes, found ${quoted(c)}`, i, out);
      case 'colon':
        if (c === ':') {
          this.mode = 'memberValue';
          return i + 1;
        }
        return this.fail(`expected ":" after the key "${this.key}", found ${quoted(c)}`, i, out);
      case 'memberValue':
        if (c === '[' && !this.found && this.key !== null && this.keys.has(this.key)) return this.enterArray(true, i);
        if (c === ',' || c === '}') return this.fail(`the key "${this.key}" has no value`, i, out);
        return this.beginValue('member', i);
      case 'afterMember':
        if (c === ',') {
          this.mode = 'objectNext';
          return i + 1;
        }
        if (c === '}') return this.closeObject(i);
        return this.fail(`expected "," or "}" after the value of "${this.key}", found ${quoted(c)}`, i, out);
      case 'arrayFirst':
      case 'arrayNext':
        if (c === ']' && this.mode === 'arrayFirst') return this.closeArray(i);
        if (c === ']' || c === ',') {
          // `[1,,2]` or `[1,]`: an element is missing.
          this.elements++;
          out.push({ number: this.elements, problem: `element ${this.elements} is missing (nothing between "," and "${c}")`, text: '' });
          return c === ']' ? this.closeArray(i) : i + 1;
        }
        return this.beginValue('element', i);
      case 'afterElement':
        if (c === ',') {
          this.mode = 'arrayNext';
          return i + 1;
        }
        if (c === ']') return this.closeArray(i);
        // `[{…} {…}]`: read the next element all the same, and report it.
        this.missingComma = true;
        return this.beginValue('element', i);
      case 'after':
        if (this.concatenated && this.found && (c === '{' || c === '[')) return this.nextTopLevelValue(c, i);
        return this.fail(`the file goes on after its JSON ends (found ${quoted(c)})`, i, out);
      case 'ignore':
        return chunk.length;
    }
  }

  /** Another top-level value after one whose array was read (`concatenated`): its array is looked for the same way. */
  private nextTopLevelValue(c: string, i: number): number {
    this.valuesRead++;
    this.found = false;
    this.inObject = false;
    this.key = null;
    if (c === '[') return this.enterArray(false, i);
    this.mode = 'objectFirst';
    return i + 1;
  }

  private enterArray(inObject: boolean, i: number): number {
    this.found = true;
    this.inObject = inObject;
    this.mode = 'arrayFirst';
    return i + 1;
  }

  private closeArray(i: number): number {
    this.mode = this.inObject ? 'afterMember' : 'after';
    return i + 1;
  }

  private closeObject(i: number): number {
    if (!this.found) {
      const keys = [...this.keys].map((key) => `"${key}"`).join(' or ');
      this.shapeProblem = `the top-level object has no array${keys ? ` under ${keys}` : ''}`;
    }
    this.mode = 'after';
    return i + 1;
  }

  private beginValue(role: Role, i: number): number {
    this.value = { role, start: i, pending: '', length: 0, depth: 0, inString: false, escaped: false, over: false };
    return i;
  }

  /**
   * Reads the current value from `from` on, following strings and brackets only; answers where it stopped: the end
   * of the chunk, or the end of the value (then handed to `endValue`).
   */
  private scanValue(chunk: string, from: number, out: ScannedPart[]): number {
    const value = this.value!;
    const closer = value.role === 'element' ? ']' : value.role === 'member' ? '}' : null;
    let i = from;
    if (value.escaped) {
      // The character after a backslash that ended the previous chunk.
      value.escaped = false;
      i++;
    }
    while (i < chunk.length) {
      if (value.inString) {
        stringStops.lastIndex = i;
        const stop = stringStops.exec(chunk);
        if (!stop) return chunk.length;
        i = stop.index;
        if (stop[0] === '\\') {
          if (i + 1 >= chunk.length) {
            value.escaped = true;
            return chunk.length;
          }
          i += 2;
          continue;
        }
        value.inString = false;
        i++;
        if (value.depth === 0) return this.endValue(chunk, i, out);
        continue;
      }
      const c = chunk[i]!;
      if (c === '"') value.inString = true;
      else if (c === '{' || c === '[') value.depth++;
      else if (value.depth > 0 && (c === '}' || c === ']')) {
        value.depth--;
        if (value.depth === 0) return this.endValue(chunk, i + 1, out);
      } else if (value.depth === 0 && (c === ',' || c === closer)) return this.endValue(chunk, i, out);
      i++;
    }
    return chunk.length;
  }

  /** Keeps what the chunk holds of the value being read (up to its limit) for the next chunk. */
  private carry(chunk: string): void {
    const value = this.value!;
    const part = chunk.length - value.start;
    value.length += part;
    if (!value.over) {
      value.pending += chunk.slice(value.start);
      if (value.length > this.limit(value.role)) {
        value.over = true;
        value.pending = value.pending.slice(0, shownChars);
      }
    }
    value.start = 0;
  }

  private limit(role: Role): number {
    return role === 'element' ? this.maxElementChars : Math.min(this.maxElementChars, maxEnvelopeChars);
  }

  /** The value being read ends before `end` in the chunk: acts on it; answers where to go on. */
  private endValue(chunk: string, end: number, out: ScannedPart[]): number {
    const value = this.value!;
    this.value = null;
    const length = value.length + (end - value.start);
    const over = value.over || length > this.limit(value.role);
    const text = over ? shown(value.pending + chunk.slice(value.start, value.start + shownChars)) : value.pending + chunk.slice(value.start, end);
    switch (value.role) {
      case 'element': {
        this.elements++;
        const number = this.elements;
        this.mode = 'afterElement';
        if (over) out.push({ number, problem: `element ${number} is longer than ${this.maxElementChars} characters; not read`, text });
        else if (this.missingComma) out.push({ number, problem: `element ${number} has no "," before it`, text });
        else out.push({ number, text });
        this.missingComma = false;
        return end;
      }
      case 'key':
        this.key = null;
        if (!over) {
          try {
            this.key = JSON.parse(text) as string;
          } catch (error) {
            return this.fail(`a key is not valid JSON (${(error as Error).message})`, value.start, out, value.length);
          }
        }
        this.mode = 'colon';
        return end;
      case 'member':
        if (!over && text.trim() !== '') {
          try {
            JSON.parse(text);
          } catch (error) {
            return this.fail(`the value of "${this.key}" is not valid JSON (${(error as Error).message})`, value.start, out, value.length);
          }
        }
        this.mode = 'afterMember';
        return end;
      case 'top':
        // Not an array or object: JSON of another shape, or not JSON at all (then said as JSON.parse says it).
        if (over) throw new JsonArrayNotFound(`it does not start with "[" or "{" (found ${quoted(text[0] ?? '')})`, true);
        try {
          JSON.parse(text);
        } catch (error) {
          throw new JsonArrayNotFound((error as Error).message, true);
        }
        this.shapeProblem = 'its JSON is not an array or an object';
        this.mode = 'after';
        return end;
    }
  }

  /**
   * JSON's structure is broken at `i` of the current chunk (less `back` characters carried from earlier ones): before
   * the array, the file has no array to read (thrown); after it, reported once, and the rest is not read.
   */
  private fail(message: string, i: number, out: ScannedPart[], back = 0): number {
    const where = `${message} at character ${this.offset + i - back}`;
    if (!this.found) throw new JsonArrayNotFound(where, true);
    out.push({ number: null, problem: `after the array: ${where}`, text: '' });
    this.mode = 'ignore';
    this.value = null;
    return Number.MAX_SAFE_INTEGER;
  }
}

function shown(text: string): string {
  return text.length > shownChars ? `${text.slice(0, shownChars)}…` : text;
}

function quoted(c: string): string {
  return c === '' ? 'nothing' : JSON.stringify(c);
}
