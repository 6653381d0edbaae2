import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireSnapshot, snapshotHeader, snapshotHeaderLine, snapshotLines } from '../../src/pipeline/snapshot.js';
import { tempDir } from '../support/temp.js';

const header = { source: 'zep', account: 'project-1', saved_at: '2026-11-25T00:00:00.000Z' };

describe('snapshots with a byte order mark', () => {
  it('still have their header, and their lines', async () => {
    const file = path.join(tempDir(), 'zep.jsonl');
    writeFileSync(file, `\uFEFF${snapshotHeaderLine(header)}{"a": 1}\n`);
    expect(snapshotHeader(file)).toEqual(header);
    expect(requireSnapshot(file, 'zep')).toEqual(header);
    const lines = [];
    for await (const line of snapshotLines(file)) lines.push(line);
    expect(lines).toEqual([{ lineNumber: 2, raw: { a: 1 } }]);
  });
});
