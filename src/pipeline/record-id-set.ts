// Record ids a run has read, as 64-bit hashes in typed arrays: a run may read millions of records, and a string set
// costs ~100 bytes an id where this costs ~24. Two different ids sharing a 64-bit hash is not a practical concern
// at these sizes.
import { hash } from 'node:crypto';

/** An open-addressing set of record ids; each id added gets the next entry number (0, 1, 2, …) for side tables. */
export class RecordIdSet {
  private hashes = new BigUint64Array(1 << 12);
  private entryOf = new Uint32Array(1 << 12);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The id's entry number, or null when it was never added. */
  entry(id: string): number | null {
    const hash = hash64(id);
    const slot = this.slotOf(hash);
    return this.hashes[slot] === hash ? this.entryOf[slot]! : null;
  }

  has(id: string): boolean {
    return this.entry(id) !== null;
  }

  /** Adds the id; answers its entry number, and whether it was there already. */
  add(id: string): { entry: number; added: boolean } {
    const hash = hash64(id);
    const slot = this.slotOf(hash);
    if (this.hashes[slot] === hash) return { entry: this.entryOf[slot]!, added: false };
    this.hashes[slot] = hash;
    const entry = this.count++;
    this.entryOf[slot] = entry;
    if (this.count * 4 > this.hashes.length * 3) this.grow();
    return { entry, added: true };
  }

  /** The slot holding `hash`, or the empty one where it belongs (0 marks an empty slot; a zero hash is stored as 1). */
  private slotOf(hash: bigint): number {
    const mask = this.hashes.length - 1;
    let slot = Number(hash & BigInt(mask));
    while (this.hashes[slot] !== 0n && this.hashes[slot] !== hash) slot = (slot + 1) & mask;
    return slot;
  }

  private grow(): void {
    const [hashes, entryOf] = [this.hashes, this.entryOf];
    this.hashes = new BigUint64Array(hashes.length * 2);
    this.entryOf = new Uint32Array(hashes.length * 2);
    for (let old = 0; old < hashes.length; old++) {
      if (hashes[old] === 0n) continue;
      const slot = this.slotOf(hashes[old]!);
      this.hashes[slot] = hashes[old]!;
      this.entryOf[slot] = entryOf[old]!;
    }
  }
}

/** The first 64 bits of a text's SHA-1, never 0 (0 marks an empty slot). */
export function hash64(text: string): bigint {
  const value = hash('sha1', text, 'buffer').readBigUInt64BE(0);
  return value === 0n ? 1n : value;
}
