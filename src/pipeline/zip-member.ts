// One member of a zip archive, read whole: for the small archives sources hand their users (a per-user backup).
// Plain zip only (stored or deflated members; no ZIP64, no encryption): what Python's zipfile writes for them.
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';

/** The file is not a zip archive this reader can open; the message says why. */
export class ZipUnreadable extends Error {
  override name = 'ZipUnreadable';
}

const endOfCentralDirectory = 0x06054b50;
const centralDirectoryEntry = 0x02014b50;
const localFileHeader = 0x04034b50;
/** The end record is 22 bytes, followed by a comment of at most 65,535. */
const endSearchWindow = 22 + 0xffff;

/** The names of the archive's members, and the bytes of the first one whose name (without its folder) is `baseName`. */
export function readZipMember(file: string, baseName: string): { names: string[]; data: Buffer | null } {
  const zip = readFileSync(file);
  let end = -1;
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - endSearchWindow); at--) {
    if (zip.readUInt32LE(at) === endOfCentralDirectory) {
      end = at;
      break;
    }
  }
  if (end < 0) throw new ZipUnreadable('not a zip archive (no end of central directory)');
  const entries = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  if (entries === 0xffff || at === 0xffffffff) throw new ZipUnreadable('a ZIP64 archive, which om-import does not read: unzip it and pass the member');
  const names: string[] = [];
  let data: Buffer | null = null;
  for (let i = 0; i < entries; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== centralDirectoryEntry) throw new ZipUnreadable('its central directory is damaged');
    const flags = zip.readUInt16LE(at + 8);
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const next = at + 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const localAt = zip.readUInt32LE(at + 42);
    names.push(name);
    if (data === null && !name.endsWith('/') && name.split('/').pop() === baseName) {
      if (flags & 1) throw new ZipUnreadable(`${name} is encrypted`);
      if (localAt + 30 > zip.length || zip.readUInt32LE(localAt) !== localFileHeader) throw new ZipUnreadable(`${name}: its local header is damaged`);
      const start = localAt + 30 + zip.readUInt16LE(localAt + 26) + zip.readUInt16LE(localAt + 28);
      const stored = zip.subarray(start, start + compressedSize);
      if (stored.length !== compressedSize) throw new ZipUnreadable(`${name} is cut short`);
      if (method === 0) data = stored;
      else if (method === 8) {
        try {
          data = inflateRawSync(stored);
        } catch (error) {
          throw new ZipUnreadable(`${name} cannot be inflated (${(error as Error).message})`);
        }
      } else throw new ZipUnreadable(`${name} is compressed with method ${method}; om-import reads stored and deflated members only`);
    }
    at = next;
  }
  return { names, data };
}
