// The v5 list route's paging (`POST /ns/{ns}/list/{type}`, §4.1 and §7 of supermemory-v5.md): offset pages and,
// from 2026-11-02, opaque cursors with keyset semantics, so a walk by cursor does not drift when rows are inserted
// ahead of it while a walk by page does. Also the typed metadata filter of §4.4.
import { fnv1a } from './supermemory-v5-wire.js';

export type V5ListType = 'documents' | 'chunks' | 'memories';
export type V5ListSort = 'createdAt' | 'updatedAt' | 'position';

/** A row's place in the listing: compared element by element (numbers as numbers, strings as strings). */
export type SortKey = (string | number)[];

export interface ListRow {
  key: SortKey;
  item: unknown;
}

/** What a cursor is bound to: a cursor from another listing, sort, limit or body is refused. */
export interface ListBinding {
  type: V5ListType;
  namespace: string;
  sort: V5ListSort;
  order: 'asc' | 'desc';
  limit: number;
  bodyDigest: string;
}

export interface CursorState extends ListBinding {
  /** The key of the last row served: the next page starts strictly after it. */
  after: SortKey;
  /** The page number the last row was on (so `currentPage` keeps counting). */
  page: number;
  issuedAt: number;
}

export type CursorMode = 'on' | 'absent-on-last' | 'off';

export interface V5Pagination {
  currentPage: number;
  limit?: number;
  totalItems: number;
  totalPages: number;
  nextCursor?: string | null;
}

export interface ListPage {
  items: unknown[];
  pagination: V5Pagination;
}

function compareKeys(a: SortKey, b: SortKey): number {
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    const left = a[index];
    const right = b[index];
    if (left === right) continue;
    if (left === undefined) return -1;
    if (right === undefined) return 1;
    if (typeof left === 'number' && typeof right === 'number') return left - right;
    return String(left) < String(right) ? -1 : 1;
  }
  return 0;
}

export function sortRows(rows: ListRow[], order: 'asc' | 'desc'): ListRow[] {
  const direction = order === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => compareKeys(a.key, b.key) * direction);
}

const cursorPrefix = 'smc1';

export function encodeCursor(state: CursorState): string {
  const payload = Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
  return `${cursorPrefix}.${payload}.${fnv1a(payload)}`;
}

function isSortKey(value: unknown): value is SortKey {
  return Array.isArray(value) && value.every((part) => typeof part === 'string' || typeof part === 'number');
}

/** The state a cursor carries, or null for anything this fake did not issue (garbage, truncated, tampered). */
export function decodeCursor(token: string): CursorState | null {
  const [prefix, payload, checksum, ...rest] = token.split('.');
  if (prefix !== cursorPrefix || !payload || checksum !== fnv1a(payload) || rest.length > 0) return null;
  try {
    const state: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (typeof state !== 'object' || state === null) return null;
    const candidate = state as Partial<CursorState>;
    const valid =
      typeof candidate.type === 'string' &&
      typeof candidate.namespace === 'string' &&
      typeof candidate.sort === 'string' &&
      typeof candidate.order === 'string' &&
      typeof candidate.limit === 'number' &&
      typeof candidate.bodyDigest === 'string' &&
      typeof candidate.page === 'number' &&
      typeof candidate.issuedAt === 'number' &&
      isSortKey(candidate.after);
    return valid ? (candidate as CursorState) : null;
  } catch {
    return null;
  }
}

export function sameBinding(a: ListBinding, b: ListBinding): boolean {
  return (
    a.type === b.type &&
    a.namespace === b.namespace &&
    a.sort === b.sort &&
    a.order === b.order &&
    a.limit === b.limit &&
    a.bodyDigest === b.bodyDigest
  );
}

interface PageOptions {
  binding: ListBinding;
  cursors: CursorMode;
  omitLimit: boolean;
  now: number;
}

function pagination(page: number, limit: number, totalItems: number, options: PageOptions, nextCursor: string | null): V5Pagination {
  const result: V5Pagination = {
    currentPage: page,
    ...(options.omitLimit ? {} : { limit }),
    totalItems,
    totalPages: Math.ceil(totalItems / limit),
  };
  if (options.cursors === 'on' || (options.cursors === 'absent-on-last' && nextCursor !== null)) result.nextCursor = nextCursor;
  return result;
}

function cursorAfter(rows: ListRow[], page: number, options: PageOptions): string | null {
  const last = rows[rows.length - 1];
  if (!last || options.cursors === 'off') return null;
  return encodeCursor({ ...options.binding, after: last.key, page, issuedAt: options.now });
}

/** Page `page` of the sorted rows (a page past the end is empty); a cursor to continue unless it is the last. */
export function offsetPage(sorted: ListRow[], page: number, options: PageOptions): ListPage {
  const limit = options.binding.limit;
  const rows = sorted.slice((page - 1) * limit, page * limit);
  const isLast = page * limit >= sorted.length;
  return {
    items: rows.map((row) => row.item),
    pagination: pagination(page, limit, sorted.length, options, isLast ? null : cursorAfter(rows, page, options)),
  };
}

/** The rows strictly after the cursor's key, in the listing's order: keyset paging, immune to inserts behind it. */
export function cursorPage(sorted: ListRow[], cursor: CursorState, options: PageOptions): ListPage {
  const limit = options.binding.limit;
  const direction = cursor.order === 'asc' ? 1 : -1;
  const remaining = sorted.filter((row) => compareKeys(row.key, cursor.after) * direction > 0);
  const rows = remaining.slice(0, limit);
  const page = cursor.page + 1;
  const isLast = remaining.length <= limit;
  return {
    items: rows.map((row) => row.item),
    pagination: pagination(page, limit, sorted.length, options, isLast ? null : cursorAfter(rows, page, options)),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Filters (§4.4): metadata keys only; a dot is part of the key, not a path.
// ---------------------------------------------------------------------------------------------------------------

const predicateOperators = new Set([
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'notContains',
  'arrayContains',
  'arrayNotContains',
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Shape problems of a FilterExpression (groups nested at most 5 deep, 1–200 operands), as validation issues. */
export function filterIssues(expression: unknown, path: (string | number)[], depth = 1): { message: string; path: (string | number)[] }[] {
  if (!isRecord(expression)) return [{ message: 'Expected a filter object', path }];
  if ('operands' in expression) {
    const operands = expression['operands'];
    if (expression['operator'] !== 'and' && expression['operator'] !== 'or') return [{ message: "Expected 'and' | 'or'", path: [...path, 'operator'] }];
    if (depth > 5) return [{ message: 'Filter groups nest at most 5 levels', path }];
    if (!Array.isArray(operands) || operands.length < 1 || operands.length > 200) {
      return [{ message: 'Expected 1 to 200 operands', path: [...path, 'operands'] }];
    }
    return operands.flatMap((operand, index) => filterIssues(operand, [...path, 'operands', index], depth + 1));
  }
  const field = expression['field'];
  if (typeof field !== 'string' || !/^[a-zA-Z0-9_.-]+$/.test(field)) return [{ message: 'Invalid field', path: [...path, 'field'] }];
  if (typeof expression['operator'] !== 'string' || !predicateOperators.has(expression['operator'])) {
    return [{ message: 'Invalid operator', path: [...path, 'operator'] }];
  }
  if (!['string', 'number', 'boolean'].includes(typeof expression['value'])) return [{ message: 'Invalid value', path: [...path, 'value'] }];
  return [];
}

function predicateMatches(predicate: Record<string, unknown>, metadata: Record<string, unknown>): boolean {
  const actual = metadata[String(predicate['field'])];
  const expected = predicate['value'];
  const caseSensitive = predicate['caseSensitive'] !== false;
  const fold = (value: unknown): unknown => (typeof value === 'string' && !caseSensitive ? value.toLowerCase() : value);
  switch (predicate['operator']) {
    case 'eq':
      return fold(actual) === fold(expected);
    case 'neq':
      return fold(actual) !== fold(expected);
    case 'gt':
      return typeof actual === 'number' && actual > Number(expected);
    case 'gte':
      return typeof actual === 'number' && actual >= Number(expected);
    case 'lt':
      return typeof actual === 'number' && actual < Number(expected);
    case 'lte':
      return typeof actual === 'number' && actual <= Number(expected);
    case 'contains':
      return typeof actual === 'string' && String(fold(actual)).includes(String(fold(expected)));
    case 'notContains':
      return typeof actual === 'string' && !String(fold(actual)).includes(String(fold(expected)));
    case 'arrayContains':
      return Array.isArray(actual) && actual.includes(expected);
    case 'arrayNotContains':
      return Array.isArray(actual) && !actual.includes(expected);
    default:
      return false;
  }
}

/** Whether `metadata` passes an (already validated) filter expression. */
export function filterMatches(expression: unknown, metadata: Record<string, unknown>): boolean {
  if (!isRecord(expression)) return true;
  const operands = expression['operands'];
  if (Array.isArray(operands)) {
    return expression['operator'] === 'or'
      ? operands.some((operand) => filterMatches(operand, metadata))
      : operands.every((operand) => filterMatches(operand, metadata));
  }
  return predicateMatches(expression, metadata);
}
