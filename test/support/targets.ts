import path from 'node:path';
import { resolveTargetConfig, type TargetConfig } from '../../src/database/open-target.js';
import { createTestDatabase } from './postgres.js';
import { tempDir } from './temp.js';

/** A fresh target of each backend, so one test body runs on both. */
export const backends: [string, () => Promise<TargetConfig>][] = [
  ['SQLite', async () => resolveTargetConfig({ db: path.join(tempDir(), 'data', 'openmemory.sqlite') }, {})],
  ['PostgreSQL', async () => resolveTargetConfig({ pg: await createTestDatabase() }, {})],
];
