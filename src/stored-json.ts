// Reading back what is stored as JSON text: a memory's `meta` (and in it om-import's provenance, `om_import`), a
// run's scope. Text that is not a JSON object reads as null, never as an error: it was written by someone else.

/** The JSON object a text holds, or null (no text, not JSON, or JSON that is not an object). */
export function jsonObject(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** om-import's provenance in a memory's `meta` (`meta.om_import`, see `memoryInput`), or null for a memory it did not write. */
export function storedProvenance(meta: string | null): Record<string, unknown> | null {
  const provenance = jsonObject(meta)?.['om_import'];
  return provenance !== null && typeof provenance === 'object' && !Array.isArray(provenance) ? (provenance as Record<string, unknown>) : null;
}
