import { copyFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixturePath } from './fixtures.js';

export function tempDir(prefix = 'om-import-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A private copy of one of OpenMemory's SQLite databases in fixtures/. */
export function copyFixtureDatabase(name: string): string {
  const destination = path.join(tempDir(), name);
  copyFileSync(fixturePath('openmemory', 'databases', name), destination);
  return destination;
}
