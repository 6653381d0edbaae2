import path from 'node:path';
import { openTarget, resolveTargetConfig, type TargetConfig } from '../../src/database/open-target.js';
import type { Target } from '../../src/database/target.js';
import { createTestDatabase } from './postgres.js';
import { tempDir } from './temp.js';

/** A fresh target of each backend, so one test body runs on both. */
export const backends: [string, () => Promise<TargetConfig>][] = [
  ['SQLite', async () => resolveTargetConfig({ db: path.join(tempDir(), 'data', 'openmemory.sqlite') }, {})],
  ['PostgreSQL', async () => resolveTargetConfig({ pg: await createTestDatabase() }, {})],
];

/** Runs `test` on a target opened from `makeTarget`, and closes it whatever happens. */
export async function withTarget(makeTarget: () => Promise<TargetConfig>, test: (target: Target) => Promise<void>): Promise<void> {
  const target = await openTarget(await makeTarget());
  try {
    await test(target);
  } finally {
    await target.close();
  }
}
