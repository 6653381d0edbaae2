// Deterministic identities: the OpenMemory id of a source record, and the fingerprint of what was imported.
import { hash } from 'node:crypto';

/** The namespace of om-import's name-based UUIDs (RFC 4122 version 5). */
const namespace = Buffer.from('6f6d2d69-6d70-4f72-8a2d-6f70656e6d65'.replace(/-/g, ''), 'hex');

/**
 * A UUID (v5) from (source, record id): the same record always gets the same OpenMemory id, whether it came from
 * the API, the source's export or a snapshot. (om-import before 0.2 also hashed the account — for an export file,
 * its name; memories it wrote keep their ids through the bookkeeping, which is asked first.)
 */
export function memoryId(source: string, recordId: string): string {
  const name = Buffer.from(`${source}\u0000${recordId}`, 'utf8');
  const digest = hash('sha1', Buffer.concat([namespace, name], namespace.length + name.length), 'buffer');
  digest[6] = ((digest[6] as number) & 0x0f) | 0x50;
  digest[8] = ((digest[8] as number) & 0x3f) | 0x80;
  const hex = digest.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * JSON with object keys sorted, so equal content always serialises the same way: exactly what `JSON.stringify` with
 * a replacer that sorts every object's keys gives (fingerprints stored by earlier runs depend on it), without a call
 * per value through the replacer — this runs once per record.
 */
export function canonicalJson(value: unknown): string {
  return canonical(value) ?? JSON.stringify(value);
}

function canonical(value: unknown): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: () => unknown }).toJSON(); // a Date, a Buffer: as JSON.stringify sees them
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let json = '[';
        for (let i = 0; i < value.length; i++) json += `${i > 0 ? ',' : ''}${canonical(value[i]) ?? 'null'}`;
        return `${json}]`;
      }
      let json = '{';
      for (const key of sortedKeys(value)) {
        const member = canonical((value as Record<string, unknown>)[key]);
        if (member !== undefined) json += `${json.length > 1 ? ',' : ''}${quotedKey(key)}:${member}`;
      }
      return `${json}}`;
    }
    case 'bigint':
      return JSON.stringify(value); // throws, as JSON.stringify does
    default:
      return undefined; // undefined, a function, a symbol: left out of objects, null in arrays
  }
}

/** Keys as JSON strings, remembered: records repeat the same few keys (bounded, as metadata keys are the source's). */
const quotedKeys = new Map<string, string>();

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < 10_000) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/**
 * An object's keys in the order the replacer's sorted copy of it listed them: a JavaScript object lists array-index
 * keys ('0', '2', '10') first, in numeric order, then the others in the order given, here sorted. `Object.keys`
 * already puts the index keys first, in numeric order.
 */
function sortedKeys(object: object): string[] {
  const keys = Object.keys(object);
  let indexKeys = 0;
  while (indexKeys < keys.length && isArrayIndex(keys[indexKeys]!)) indexKeys++;
  return indexKeys === 0 ? keys.sort() : [...keys.slice(0, indexKeys), ...keys.slice(indexKeys).sort()];
}

function isArrayIndex(key: string): boolean {
  return key === '0' || (/^[1-9][0-9]*$/.test(key) && Number(key) < 2 ** 32 - 1);
}

export function fingerprint(value: unknown): string {
  return hash('sha256', canonicalJson(value), 'hex'); // one call, no Hash object: this runs once per record
}
