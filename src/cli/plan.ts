// `om-import plan <source>`: what an import would read and where each user would land, from the source's listing
// of its users (cheap requests only, no record fetched) and the target's users — before anything is fetched or written.
import { existsSync, writeFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { OpenedSource, Partition } from '../records.js';
import { escapeControl, fitTable, wrapLine } from '../pipeline/report.js';
import type { TenantMap } from '../pipeline/tenant-map.js';
import { openTarget, type TargetConfig } from '../database/open-target.js';
import { databaseStatus, type DatabaseStatus } from '../status.js';

/** One source user (a partition the source listed) and what an import would do with it. */
export interface PlannedUser {
  /** The source's name of the user (`alice`, `agent:bot`, `thread:t1`, a container tag). */
  tenant: string;
  /** The OpenMemory user_id its records would land under; null when `--unmapped skip` skips it. */
  userId: string | null;
  /** How the user_id was chosen: named by --user-map, kept under its own name, skipped, or stopping the run (`--unmapped fail`). */
  mapping: 'mapped' | 'identity' | 'skipped' | 'fails';
  /** The records the source announced for it when listing (null: it announces none). */
  announcedRecords: number | null;
  /** Whether the import would read it (every listed user, or those --user-id names). */
  selected: boolean;
  /** What the target holds under its user_id already (any source, or OpenMemory itself); null without a readable target. */
  present: { memories: number; records: number } | null;
}

export interface Plan {
  source: string;
  account: string;
  api: string | null;
  /** The target database, or why it was not read (it does not exist yet: the import creates it). */
  target: { description: string; readable: boolean; note: string | null };
  users: PlannedUser[];
  /** --user-id values and --user-map keys that name no user the source listed. */
  unknownUserIds: string[];
  unknownMapKeys: string[];
  /** Partitions whose users show only when read (a file). */
  unlistedPartitions: number;
  /** For the users an import would read. */
  totals: { users: number; announcedRecords: number; usersWithoutCount: number; alreadyPresent: number };
  /** A rough estimate: see `estimateRequests`. */
  estimate: { requests: number; seconds: number; requestsPerSecond: number; rough: string };
  /** Requests the listing itself took. */
  listingRequests: number;
  /** A file was read (its users and counts are what it holds; an import makes no request). */
  file: boolean;
  /** Whether the users come from the source's own listing (else: the names given, unchecked). */
  listedBySource: boolean;
}

/** Records one request is assumed to bring back, for the estimate (sources page 100 to 1,000 a request). */
const assumedRecordsPerRequest = 100;
/** Requests assumed per user beyond its records' pages (a summary, a profile, the first empty page). */
const assumedRequestsPerUser = 2;

/**
 * A rough count of the requests an import of `users` makes: per user its announced records over 100 a page, and two
 * more. Sources that read a user in several lists (Zep: every thread) make more; a count the source did not announce
 * counts as none.
 */
export function estimateRequests(users: readonly PlannedUser[]): number {
  return users.reduce((sum, user) => sum + assumedRequestsPerUser + Math.ceil((user.announcedRecords ?? 0) / assumedRecordsPerRequest), 0);
}

/** The source's partitions as it lists them (with every user, whatever --user-id says). */
export async function listPartitions(opened: OpenedSource): Promise<Partition[]> {
  const partitions: Partition[] = [];
  for await (const partition of opened.source.partitions()) partitions.push(partition);
  return partitions;
}

/**
 * A file's users, by reading it (no request: it is local): one partition per user with the records the file holds
 * for it as its count. Partitions that know their user already are kept as they are.
 */
export async function fileUsers(opened: OpenedSource, partitions: readonly Partition[]): Promise<Partition[]> {
  const byUser = new Map<string, number>();
  const known: Partition[] = [];
  for (const partition of partitions) {
    if (partition.tenantKey !== null) {
      known.push(partition);
      continue;
    }
    for await (const item of opened.source.items(partition, { updatedSince: null })) {
      const tenant = item.type === 'memory' ? item.record.tenantKey : item.type === 'skipped' ? item.skipped.tenantKey : null;
      if (tenant !== null && item.type !== 'warning' && item.type !== 'tenant') byUser.set(tenant, (byUser.get(tenant) ?? 0) + 1);
    }
  }
  return [...known, ...[...byUser].map(([tenant, records]) => ({ key: `file-user:${tenant}`, tenantKey: tenant, expectedRecords: records }))];
}

/** What the target holds per user, or why it holds nothing yet (it does not exist, or is older than v1.2). */
export async function targetUsers(config: TargetConfig): Promise<PlanInput['status']> {
  const target = await openTarget(config, { dryRun: true });
  let state: Awaited<ReturnType<typeof target.inspect>>['state'];
  try {
    ({ state } = await target.inspect());
  } finally {
    await target.close();
  }
  if (state.name === 'v1.2' || state.name === 'newer') return databaseStatus(config);
  const note =
    state.name === 'missing'
      ? `${target.description} does not exist yet: an import creates it`
      : `${target.description} is ${state.name}: an import migrates it to v1.2 first (om-import migrate --dry-run shows how)`;
  return { unreadable: note, description: target.description };
}

/** The names a partition answers to: its tenant and the source's other names for it. */
const namesOf = (partition: Partition): string[] => (partition.tenantKey === null ? [] : [partition.tenantKey, ...(partition.aliases ?? [])]);

/** What the names given on the command line (--user-id, the map's keys) match in a listing. */
export interface NameCheck {
  unknownUserIds: string[];
  unknownMapKeys: string[];
  /** Listed users --unmapped fail would stop on (every one, not the first). */
  unmappedUsers: string[];
}

/**
 * Checks --user-id and the map's keys against the source's own listing of its users. Only meaningful where the
 * listing names every user (`complete`): a file, whose users show only when read, checks nothing.
 */
export function checkNames(partitions: readonly Partition[], userIds: readonly string[], tenantMap: TenantMap): NameCheck {
  const known = new Set(partitions.flatMap(namesOf));
  for (const partition of partitions) if (partition.tenantKey !== null && partition.aliases) tenantMap.alias(partition.tenantKey, partition.aliases);
  const selected = userIds.length === 0 ? partitions : partitions.filter((partition) => namesOf(partition).some((name) => userIds.includes(name)));
  const unmappedUsers = tenantMap.unmapped === 'fail' ? selected.flatMap((partition) => (partition.tenantKey !== null && !tenantMap.maps(partition.tenantKey) ? [partition.tenantKey] : [])) : [];
  return {
    unknownUserIds: [...new Set(userIds)].filter((id) => !known.has(id)),
    unknownMapKeys: tenantMap.sourceUsers.filter((key) => !known.has(key)),
    unmappedUsers,
  };
}

/**
 * What stops a real run, as one usage error naming every name (not the first), or null: a --user-id that names no
 * listed user (there is nothing to read for it), and, under --unmapped fail, every unmapped user. A map key that
 * names nothing does not stop it (a map may name a user by an alias only another API generation knows, or be
 * shared by several accounts): see `mapKeyWarning`.
 */
export function nameCheckError(check: NameCheck, sourceName: string, userNoun: string): UsageError | null {
  const problems = [
    ...(check.unknownUserIds.length > 0 ? [`--user-id ${quotedList(check.unknownUserIds)}: the source lists no such ${userNoun} (for this key)`] : []),
    ...(check.unmappedUsers.length > 0 ? [`${check.unmappedUsers.length} ${userNoun}s are not in --user-map (--unmapped fail): ${quotedList(check.unmappedUsers)}`] : []),
  ];
  if (problems.length === 0) return null;
  return new UsageError(
    `${problems.join('; ')} — nothing was fetched or written (\`om-import plan ${sourceName}\` lists every ${userNoun} and where it would land; \`--write-map FILE\` writes a map to start from)`,
  );
}

/** The report's warning about map keys that name no listed user, or null. */
export function mapKeyWarning(check: NameCheck, sourceName: string): string | null {
  if (check.unknownMapKeys.length === 0) return null;
  return `--user-map names ${quotedList(check.unknownMapKeys)}, which the source does not list (for this key): a mistyped key maps nothing (\`om-import plan ${sourceName}\` shows every user and its mapping)`;
}

const quotedList = (names: readonly string[]): string => {
  const shown = names.slice(0, 10).map((name) => JSON.stringify(name)).join(', ');
  return names.length > 10 ? `${shown} and ${names.length - 10} more` : shown;
};

export interface PlanInput {
  opened: OpenedSource;
  /** The partitions the source listed (see `listPartitions`). */
  partitions: readonly Partition[];
  userIds: readonly string[];
  tenantMap: TenantMap;
  /** The target's status, or why it could not be read. */
  status: DatabaseStatus | { unreadable: string; description: string };
  requestsPerSecond: number;
  /** False when the source cannot list its users and the users named were taken as they are (not checked). */
  listedBySource?: boolean;
}

/** The plan of an import: every listed user with its mapping, announced count and presence in the target. */
export async function buildPlan(input: PlanInput): Promise<Plan> {
  const { opened, partitions, userIds, tenantMap, status } = input;
  const check = checkNames(partitions, userIds, tenantMap);
  const presentByUser = 'users' in status ? new Map(status.users.map((user) => [user.userId, { memories: user.memories, records: user.records }])) : null;
  const users: PlannedUser[] = partitions.flatMap((partition): PlannedUser[] => {
    const tenant = partition.tenantKey;
    if (tenant === null) return [];
    const selected = userIds.length === 0 || namesOf(partition).some((name) => userIds.includes(name));
    let userId: string | null;
    let mapping: PlannedUser['mapping'];
    if (tenantMap.maps(tenant)) {
      userId = (tenantMap.resolve(tenant) as { userId: string }).userId;
      mapping = 'mapped';
    } else if (tenantMap.unmapped === 'keep') {
      userId = tenant;
      mapping = 'identity';
    } else {
      userId = null;
      mapping = tenantMap.unmapped === 'skip' ? 'skipped' : 'fails';
    }
    const present = presentByUser === null || userId === null ? null : (presentByUser.get(userId) ?? { memories: 0, records: 0 });
    return [{ tenant, userId, mapping, announcedRecords: partition.expectedRecords ?? null, selected, present }];
  });
  const read = users.filter((user) => user.selected && user.userId !== null);
  const requests = opened.http === null ? 0 : estimateRequests(read);
  return {
    source: opened.source.name,
    account: await opened.source.account(),
    api: opened.source.describeApi?.() ?? null,
    target: 'users' in status ? { description: status.target, readable: true, note: null } : { description: status.description, readable: false, note: status.unreadable },
    users,
    unknownUserIds: check.unknownUserIds,
    unknownMapKeys: check.unknownMapKeys,
    unlistedPartitions: partitions.filter((partition) => partition.tenantKey === null).length,
    totals: {
      users: read.length,
      announcedRecords: read.reduce((sum, user) => sum + (user.announcedRecords ?? 0), 0),
      usersWithoutCount: read.filter((user) => user.announcedRecords === null).length,
      alreadyPresent: read.filter((user) => (user.present?.memories ?? 0) > 0).length,
    },
    estimate: {
      requests,
      seconds: Math.ceil(requests / input.requestsPerSecond),
      requestsPerSecond: input.requestsPerSecond,
      rough: `rough: assumes ${assumedRecordsPerRequest} records a request and ${assumedRequestsPerUser} more requests a user; a count the source does not announce counts as none${opened.source.name === 'zep' ? '; Zep is read thread by thread, so more' : ''}`,
    },
    listingRequests: opened.http?.stats.requests ?? 0,
    file: opened.http === null,
    listedBySource: input.listedBySource ?? true,
  };
}

/** The plan's exit code: 1 when a --user-id or map key names nothing, or --unmapped fail would stop the import. */
export function planFails(plan: Plan): boolean {
  return plan.unknownUserIds.length > 0 || plan.unknownMapKeys.length > 0 || plan.users.some((user) => user.selected && user.mapping === 'fails');
}

/** `{ "<source user>": "<user_id>" }` for every listed user (identity, or the map's target): a --user-map to edit. */
export function mapTemplate(plan: Plan): Record<string, string> {
  return Object.fromEntries(plan.users.map((user) => [user.tenant, user.userId ?? user.tenant]));
}

/** Writes the map template; never over an existing file. */
export function writeMapTemplate(file: string, plan: Plan): void {
  if (existsSync(file)) throw new UsageError(`--write-map ${file}: the file exists; name a new file (om-import never overwrites one)`);
  try {
    writeFileSync(file, `${JSON.stringify(mapTemplate(plan), null, 2)}\n`, { flag: 'wx' });
  } catch (error) {
    throw new UsageError(`--write-map ${file}: cannot write it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** Users the text lists; `--json` lists every one. */
export const plannedUsersListed = 30;

const duration = (seconds: number): string => {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}` : `${m}:${String(s).padStart(2, '0')}`;
};
const count = (n: number): string => n.toLocaleString('en-US');

export function formatPlan(plan: Plan, writtenMap: string | null): string {
  const safe = escapeControl;
  const lines: string[] = [];
  lines.push(`om-import plan ${plan.source} (${safe(plan.account)})`);
  if (plan.api) lines.push(`source API: ${safe(plan.api)}`);
  lines.push(plan.target.readable ? `target: ${safe(plan.target.description)}` : `target: ${safe(plan.target.note ?? plan.target.description)}`);
  const listed = plan.users.length;
  lines.push(plan.file ? `${count(listed)} users in the file` : `${count(listed)} users listed by the source (${count(plan.listingRequests)} requests)`);
  if (!plan.listedBySource) lines.push('the source cannot list its users: the --user-ids are shown unchecked');
  if (plan.unlistedPartitions > 0) lines.push(`${plan.unlistedPartitions} file partition(s): their users show only when read`);
  if (listed > 0) {
    const mapped = plan.users.some((user) => user.mapping !== 'identity');
    const shown = plan.users.slice(0, plannedUsersListed);
    const announced = (user: PlannedUser): string => (user.announcedRecords === null ? '?' : count(user.announcedRecords));
    const presentCell = (user: PlannedUser): string => (user.present === null ? '-' : user.present.memories > 0 ? count(user.present.memories) : '');
    const landing = (user: PlannedUser): string =>
      user.mapping === 'skipped' ? '(skipped: not in map)' : user.mapping === 'fails' ? '(stops the run: not in map)' : (user.userId ?? '');
    const name = (user: PlannedUser): string => (user.selected ? user.tenant : `${user.tenant} (not read)`);
    lines.push(
      ...fitTable({
        nameHeaders: mapped ? ['user', 'user_id'] : ['user (= user_id)'],
        numberHeaders: ['records', 'in target'],
        rows: shown.map((user) => ({ names: mapped ? [name(user), landing(user)] : [name(user)], numbers: [announced(user), presentCell(user)] })),
      }),
    );
    if (listed > shown.length) lines.push(`… and ${count(listed - shown.length)} more users (--json lists every one)`);
  }
  for (const id of plan.unknownUserIds) lines.push(`error: --user-id ${JSON.stringify(safe(id))} names no user the source lists`);
  for (const key of plan.unknownMapKeys) lines.push(`error: --user-map key ${JSON.stringify(safe(key))} names no user the source lists`);
  const failing = plan.users.filter((user) => user.selected && user.mapping === 'fails').length;
  if (failing > 0) lines.push(`error: ${failing} users are not in --user-map: --unmapped fail would stop the import`);
  const t = plan.totals;
  const unannounced = t.usersWithoutCount > 0 ? ` (${t.usersWithoutCount === t.users ? 'the source announces no counts' : `${count(t.usersWithoutCount)} without a count`})` : '';
  lines.push(`to read: ${count(t.users)} users, ${count(t.announcedRecords)} records ${plan.file ? 'in the file' : `announced${unannounced}`}`);
  if (plan.target.readable) lines.push(`already in the target: ${count(t.alreadyPresent)} of these users have memories (from any source)`);
  if (!plan.file) {
    lines.push(`estimate: ~${count(plan.estimate.requests)} requests, ~${duration(plan.estimate.seconds)} at ${plan.estimate.requestsPerSecond} req/s`);
    lines.push(`(${plan.estimate.rough})`);
  }
  if (writtenMap) lines.push(`map template written to ${safe(writtenMap)}: edit the user_ids, then import with --user-map ${safe(writtenMap)}`);
  return lines.flatMap((line) => wrapLine(line)).join('\n');
}
