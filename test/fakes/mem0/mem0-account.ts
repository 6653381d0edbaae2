// An in-memory Mem0 account for the fake server, and a generator of realistic ones.

/** A memory as the Mem0 wire carries it (snake_case). */
export interface Mem0WireMemory {
  id: string;
  memory: string;
  user_id?: string | null;
  agent_id?: string | null;
  app_id?: string | null;
  run_id?: string | null;
  hash?: string;
  metadata?: Record<string, unknown> | null;
  categories?: string[];
  created_at: string;
  updated_at: string;
  [extra: string]: unknown;
}

export interface Mem0Account {
  apiKey: string;
  orgId: string;
  projectId: string;
  /**
   * Records the fake serves, stored with `run_id` (the Platform's listings name it `session_id`); entries may be
   * malformed on purpose (any JSON value).
   */
  memories: unknown[];
  /** Ids of memories Mem0's Dream merged into another: hidden from listings unless `include_merged: true`. */
  mergedIds?: string[];
}

const topics = [
  'prefers dark mode in every editor', 'is training for the Berlin marathon', 'had a meeting about the product launch today',
  'feels worried about the security audit', 'thinks the lesson from the last sprint is to plan earlier', 'asked how to configure the VPN step by step',
  'loves espresso in the morning', 'keeps notes in Markdown files', 'wants reminders for the dentist appointment', 'is learning Rust',
];

function uuidFrom(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

/** The memories of a deterministic account, one at a time (a benchmark writes millions to disk without holding them). */
export function* generatedMem0Memories(options: { users: number; perUser: number }): Generator<Mem0WireMemory> {
  const start = Date.UTC(2026, 0, 1);
  let n = 0;
  for (let u = 0; u < options.users; u++) {
    for (let m = 0; m < options.perUser; m++) {
      n++;
      const at = new Date(start + m * 3_600_000 + u * 1000).toISOString();
      yield {
        id: uuidFrom(n),
        memory: `User ${u} ${topics[(u + m) % topics.length]} (note ${m})`,
        user_id: `user-${u}`,
        agent_id: null,
        app_id: null,
        run_id: null,
        hash: `h${n}`,
        metadata: m % 3 === 0 ? { source: 'chat', turn: m } : null,
        categories: m % 2 === 0 ? ['preferences'] : [],
        created_at: at,
        updated_at: at,
      };
    }
  }
}

/** A deterministic account: `users` users with `perUser` memories each, one day apart. */
export function generatedMem0Account(options: { users: number; perUser: number; apiKey?: string }): Mem0Account {
  const memories = [...generatedMem0Memories(options)];
  return { apiKey: options.apiKey ?? 'm0-test-key-0000', orgId: 'org_test', projectId: 'proj_test', memories };
}

/**
 * `count` memories of one owner (`user_id`, or `agent_id`/`run_id` when `owner` says so), ids from `firstId` on:
 * for accounts whose users differ in size.
 */
export function ownedMem0Memories(owner: { user_id?: string; agent_id?: string; run_id?: string }, count: number, firstId: number): Mem0WireMemory[] {
  const start = Date.UTC(2026, 0, 1);
  return Array.from({ length: count }, (_, m) => {
    const at = new Date(start + m * 60_000).toISOString();
    return {
      id: uuidFrom(firstId + m),
      memory: `${owner.user_id ?? owner.agent_id ?? owner.run_id} ${topics[m % topics.length]} (note ${m})`,
      user_id: owner.user_id ?? null,
      agent_id: owner.agent_id ?? null,
      run_id: owner.run_id ?? null,
      hash: `h${firstId + m}`,
      metadata: null,
      created_at: at,
      updated_at: at,
    };
  });
}
