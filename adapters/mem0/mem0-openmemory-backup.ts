// The backup of Mem0's own "OpenMemory" app (mem0ai/mem0 `openmemory/`, removed from the repository 2026-07-29):
// `memories_export_<user_id>.zip` from its Backup page (`POST /api/v1/backup/export`, or export_openmemory.sh), or
// the `memories.json` inside it. One user per backup; its memories read whole (a backup is one user's, and small).
// Each row becomes a Mem0-shaped wire memory — text from `content`, owner the backup's external `user.user_id` (a
// row's own `user_id` is the app's internal UUID), category and app names instead of their ids — so a --save-export
// snapshot of it reads back as the same memories.
import { readFileSync } from 'node:fs';
import { UsageError } from '../../src/errors.js';
import { readZipMember, ZipUnreadable } from '../../src/pipeline/zip-member.js';
import { idOf, isObject, nonEmptyString } from './mem0-memory.js';

/** What starts the `memories.json` the app writes (`json.dumps` keeps its key order: `user` first). */
const backupStart = /^\uFEFF?\s*\{\s*"user"\s*:\s*\{/;

/** Whether the start of a JSON file is that of the app's `memories.json`. */
export function looksLikeOpenMemoryBackup(head: string): boolean {
  return backupStart.test(head);
}

/** The wire memories of a backup: a `.zip` from the app, or its `memories.json`. */
export function openMemoryBackupMemories(file: string): unknown[] {
  return backupMemories(file, file.toLowerCase().endsWith('.zip') ? memberText(file) : readFileSync(file, 'utf8'));
}

function memberText(file: string): string {
  let member: { names: string[]; data: Buffer | null };
  try {
    member = readZipMember(file, 'memories.json');
  } catch (error) {
    if (error instanceof ZipUnreadable) throw new UsageError(`--from-file ${file}: ${error.message}`);
    throw error;
  }
  if (member.data === null) {
    throw new UsageError(
      `--from-file ${file}: a zip without memories.json (it holds ${member.names.slice(0, 5).join(', ') || 'nothing'}), so not the backup of Mem0's OpenMemory app (memories_export_<user>.zip)`,
    );
  }
  return member.data.toString('utf8');
}

function backupMemories(file: string, text: string): unknown[] {
  let backup: unknown;
  try {
    backup = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new UsageError(`--from-file ${file}: its memories.json is not valid JSON (${(error as Error).message})`);
  }
  const user = isObject(backup) && isObject(backup['user']) ? idOf(backup['user']['user_id']) : null;
  if (!isObject(backup) || !Array.isArray(backup['memories']) || user === null) {
    throw new UsageError(`--from-file ${file}: not a backup of Mem0's OpenMemory app (expected {"user": {"user_id": …}, "memories": […]})`);
  }
  const names = (list: unknown): Map<string, string> =>
    new Map((Array.isArray(list) ? list : []).filter(isObject).flatMap((entry) => {
      const id = idOf(entry['id']);
      const name = nonEmptyString(entry['name']);
      return id !== null && name !== null ? [[id, name] as const] : [];
    }));
  const apps = names(backup['apps']);
  const categories = names(backup['categories']);
  return backup['memories'].map((row) => (isObject(row) ? wireMemory(row, user, apps, categories) : row));
}

/** A backup row as a Mem0 wire memory (`state` decides in `mem0Item`: a `deleted` row is skipped). */
function wireMemory(row: Record<string, unknown>, user: string, apps: Map<string, string>, categories: Map<string, string>): Record<string, unknown> {
  const { content, user_id: internalUser, app_id: appId, category_ids: categoryIds, ...rest } = row;
  const app = idOf(appId);
  const categoryNames = (Array.isArray(categoryIds) ? categoryIds : []).flatMap((id) => {
    const name = categories.get(String(id));
    return name !== undefined ? [name] : [];
  });
  return {
    ...rest,
    memory: content,
    user_id: user,
    categories: categoryNames,
    ...(app !== null ? { app: apps.get(app) ?? null, openmemory_app_id: app } : {}),
    ...(internalUser !== undefined ? { openmemory_user_id: internalUser } : {}),
  };
}
