// What the Supermemory source tests share: a new SQLite target, an import from a fake over HTTP, and the rows and
// summaries it wrote, as the tests compare them.
import Database from 'better-sqlite3';
import path from 'node:path';
import { supermemorySource, type SupermemorySourceOptions } from '../../adapters/supermemory/index.js';
import { resolveTargetConfig, type TargetConfig } from '../../src/database/open-target.js';
import { importFrom, type ImportOptions } from '../../src/pipeline/import.js';
import type { ImportReport } from '../../src/pipeline/report.js';
import type { SupermemoryAccount } from '../fakes/supermemory/supermemory-account.js';
import type { ServedHandlers } from '../fakes/serve-handlers.js';
import { tempDir } from './temp.js';

export function sqliteTarget(): TargetConfig {
  return resolveTargetConfig({ db: path.join(tempDir(), 'data', 'openmemory.sqlite') }, {});
}

export async function runSupermemory(
  served: ServedHandlers,
  account: SupermemoryAccount,
  target: TargetConfig,
  sourceOptions: Partial<SupermemorySourceOptions> = {},
  importOptions: Partial<ImportOptions> = {},
): Promise<ImportReport> {
  const { source, http } = supermemorySource({ apiKey: account.apiKey, baseUrl: served.url, requestsPerSecond: 2000, ...sourceOptions });
  try {
    return await importFrom({ source, target, env: {}, ...importOptions });
  } finally {
    await http?.close();
  }
}

export interface Row {
  id: string;
  userId: string;
  sourceId: string;
  kind: string;
  content: string;
  flags: string[];
  fields: Record<string, unknown>;
  tags: string[];
}

export function rowsOf(target: TargetConfig): Row[] {
  const db = new Database(target.kind === 'sqlite' ? target.path : '', { readonly: true });
  try {
    const rows = db.prepare('select id, user_id, content, meta, tags from memories').all() as { id: string; user_id: string; content: string; meta: string; tags: string }[];
    return rows
      .map((row) => {
        const meta = JSON.parse(row.meta) as { om_import: { source_id: string; source_kind: string; flags?: string[]; fields: Record<string, unknown> } };
        return {
          id: row.id,
          userId: row.user_id,
          sourceId: meta.om_import.source_id,
          kind: meta.om_import.source_kind,
          content: row.content,
          flags: meta.om_import.flags ?? [],
          fields: meta.om_import.fields,
          tags: JSON.parse(row.tags) as string[],
        };
      })
      .sort((a, b) => `${a.userId} ${a.sourceId}`.localeCompare(`${b.userId} ${b.sourceId}`));
  } finally {
    db.close();
  }
}

export function summariesOf(target: TargetConfig): Record<string, string> {
  const db = new Database(target.kind === 'sqlite' ? target.path : '', { readonly: true });
  try {
    const users = db.prepare('select user_id, summary from users order by user_id').all() as { user_id: string; summary: string }[];
    return Object.fromEntries(users.map((user) => [user.user_id, user.summary]));
  } finally {
    db.close();
  }
}

