import { canonicalTokenSet } from './tokens.js';

/** 32-bit string hash `h = h*31 + c` (upstream: compute_simhash's inner loop). */
function javaStyleHash(token: string): number {
  let hash = 0;
  for (let i = 0; i < token.length; i++) {
    hash = (hash << 5) - hash + token.charCodeAt(i);
    hash = hash & hash;
  }
  return hash;
}

/** 64-bit simhash of the canonical token set as 16 hex digits (upstream: compute_simhash). */
export function simhash(text: string): string {
  const counters = new Array<number>(64).fill(0);
  for (const token of canonicalTokenSet(text)) {
    const hash = javaStyleHash(token);
    for (let bit = 0; bit < 64; bit++) {
      // `1 << bit` wraps for bit >= 32, so bits 32..63 repeat bits 0..31, as upstream.
      counters[bit] = (counters[bit] as number) + (hash & (1 << bit) ? 1 : -1);
    }
  }
  let hex = '';
  for (let digit = 0; digit < 16; digit++) {
    let nibble = 0;
    for (let k = 0; k < 4; k++) {
      if ((counters[digit * 4 + k] as number) > 0) nibble |= 8 >> k;
    }
    hex += nibble.toString(16);
  }
  return hex;
}
