// Deterministic identities: the OpenMemory id of a source record, and the fingerprint of what was imported.
import { createHash } from 'node:crypto';

/** The namespace of om-import's name-based UUIDs (RFC 4122 version 5). */
const namespace = Buffer.from('6f6d2d69-6d70-4f72-8a2d-6f70656e6d65'.replace(/-/g, ''), 'hex');

/**
 * A UUID (v5) from (source, record id): the same record always gets the same OpenMemory id, whether it came from
 * the API, the source's export or a snapshot. (om-import before 0.2 also hashed the account — for an export file,
 * its name; memories it wrote keep their ids through the bookkeeping, which is asked first.)
 */
export function memoryId(source: string, recordId: string): string {
  const hash = createHash('sha1').update(namespace).update(`${source}\u0000${recordId}`, 'utf8').digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** JSON with object keys sorted, so equal content always serialises the same way. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner && typeof inner === 'object' && !Array.isArray(inner) && !Buffer.isBuffer(inner)) {
      return Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return inner;
  });
}

export function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
