import { UsageError } from '../errors.js';

/** The identifier rule of later OpenMemory versions: a letter or underscore, then up to 62 word characters. */
const identifierPattern = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Rejects any table or schema name that is not a plain identifier, so no SQL can ride in on one. */
export function validIdentifier(value: string, what: string): string {
  if (!identifierPattern.test(value)) {
    throw new UsageError(`${what} "${value}" is not a valid SQL identifier (letters, digits and _, starting with a letter or _, at most 63)`);
  }
  return value;
}

/** Double-quotes an identifier (doubling any quote inside, for names read back from a catalog). */
export function quoteIdentifier(value: string): string {
  return `"${value.replace(/"/g, "\"\"")}"`;
}
