// An in-memory Zep Cloud account for the fake server, stored in the v3 ("threads") wire shape (snake_case);
// the handlers derive the v2 ("sessions") and Community Edition shapes from it, and zep-v4-handlers.ts the v4 shape
// of the same project, plus what only v4 can address (`ZepAccount.v4`: users, threads and graphs created through v4). Plus a deterministic generator
// of realistic accounts and a small hand-written account with the tricky cases.

/** The message role enum (v3 `role`, v2/CE `role_type`). */
export type ZepWireRole = 'norole' | 'system' | 'assistant' | 'user' | 'function' | 'tool';

export const zepWireRoles: readonly ZepWireRole[] = ['norole', 'system', 'assistant', 'user', 'function', 'tool'];

/** A user as `GET /users/{user_id}` answers it (v3). `session_count` is derived by the handlers. */
export interface ZepWireUser {
  uuid: string;
  /** Internal integer id; CE orders users by it (`id DESC`). */
  id: number;
  user_id: string;
  email?: string;
  first_name?: string;
  last_name?: string;
  metadata?: Record<string, unknown> | null;
  created_at: string;
  updated_at?: string;
  deleted_at?: string | null;
  project_uuid?: string;
  graph_uuid?: string;
  time_zone?: string;
  disable_default_ontology?: boolean;
  [extra: string]: unknown;
}

/** A thread (v3) = a session (v2/CE, where `thread_id` is `session_id`). */
export interface ZepWireThread {
  uuid: string;
  /** Internal integer id: v2/CE sessions carry it and CE orders by it; v3 threads do not show it. */
  id?: number;
  thread_id: string;
  /** Null or '' for orphan threads (sessions created without a user by SDK 1.x, CE or OSS). */
  user_id: string | null;
  created_at: string;
  updated_at?: string;
  /** Not in the 3.30.0 `Thread` type; v2 sessions carry it. Any other extra key is served as is. */
  metadata?: Record<string, unknown> | null;
  [extra: string]: unknown;
}

/** A message as `GET /threads/{thread_id}/messages` answers it (v3: `role` = enum, `name` = speaker). */
export interface ZepWireMessage {
  uuid: string;
  created_at: string;
  role: ZepWireRole;
  name?: string;
  content: string;
  metadata?: Record<string, unknown>;
  processed?: boolean;
  /** v4 only (the developer-supplied time of a back-filled message); the v3 handlers never serve it. */
  reference_time?: string;
}

export interface ZepWireThreadSummary {
  uuid: string;
  thread_id: string;
  summary: string;
  created_at: string;
  last_summarized_at: string;
  last_summarized_episode_valid_at?: string;
}

/** An entity node (the user node is the one labelled `User`; its `summary` is the user summary). */
export interface ZepWireNode {
  uuid: string;
  name: string;
  labels?: string[];
  summary: string;
  created_at: string;
  attributes?: Record<string, unknown>;
}

/** A fact: an entity edge. A contradicted fact keeps living with `invalid_at` and/or `expired_at` set. */
export interface ZepWireEdge {
  uuid: string;
  name: string;
  fact: string;
  source_node_uuid: string;
  target_node_uuid: string;
  source_node_name?: string;
  target_node_name?: string;
  created_at: string;
  valid_at?: string | null;
  invalid_at?: string | null;
  expired_at?: string | null;
  episodes?: string[];
  attributes?: Record<string, unknown>;
  source_node_labels?: string[];
  target_node_labels?: string[];
  /** A member of a hyperedge (v4): one fact relating more than two nodes, listed once per member edge. */
  hyperedge_uuid?: string;
  scope?: string;
}

export type ZepWireEpisodeSource = 'message' | 'text' | 'json' | 'fact_triple';

/** An episode: one piece of ingested data. Episodes keep the old v2 naming: `role` = speaker, `role_type` = enum. */
export interface ZepWireEpisode {
  uuid: string;
  content: string;
  created_at: string;
  source: ZepWireEpisodeSource;
  source_description?: string;
  processed?: boolean;
  role?: string;
  role_type?: ZepWireRole;
  thread_id?: string;
  metadata?: Record<string, unknown>;
  document_id?: string;
  task_id?: string;
  /** v4 episode fields (zep-v4.md §5.5), set only on data v3 cannot reach. */
  reference_time?: string;
  wait_status?: string;
  expired_at?: string;
}

/** A standalone (non-user) graph: v3 `graph`, v2 `group`. */
export interface ZepWireGraph {
  uuid: string;
  id?: number;
  graph_id: string;
  name?: string;
  description?: string;
  created_at: string;
  updated_at?: string;
  project_uuid?: string;
  /** The graph's v4 address (v3 documents it as different from `uuid`, a group-row id). */
  canonical_graph_uuid?: string;
  [extra: string]: unknown;
}

/** A user created through v4: no `user_id`. Its data are keyed by its `uuid` (messages by thread uuid, graph data by user uuid). */
export interface ZepV4User {
  uuid: string;
  email?: string;
  first_name?: string;
  last_name?: string;
  metadata?: Record<string, unknown> | null;
  graph_uuid: string;
  time_zone?: string;
  created_at: string;
  [extra: string]: unknown;
}

/** A thread created through v4: no `thread_id`; `user_uuid` may name no listed user. */
export interface ZepV4Thread {
  uuid: string;
  user_uuid: string;
  created_at: string;
  updated_at: string;
}

/** A standalone graph created through v4: no `graph_id`; its data are keyed by its `uuid`. */
export interface ZepV4Graph {
  uuid: string;
  name?: string;
  description?: string;
  created_at: string;
}

/** What only v4 can address: v3 paths take developer ids, which these lack (zep-v4.md §9). */
export interface ZepV4Only {
  users: ZepV4User[];
  threads: ZepV4Thread[];
  graphs: ZepV4Graph[];
}

/**
 * A whole project. Graph data is keyed by its owner: the `user_id` for a user's graph, the `graph_id` for a
 * standalone graph.
 */
export interface ZepAccount {
  apiKey: string;
  projectUuid: string;
  users: ZepWireUser[];
  /** Every thread, orphans included, in creation order. */
  threads: ZepWireThread[];
  /** thread_id → its messages in insertion order. */
  messages: Record<string, ZepWireMessage[]>;
  /** thread_id → its summary; a thread without one answers 404. */
  threadSummaries: Record<string, ZepWireThreadSummary>;
  /** user_id → the user's entity node. */
  userNodes: Record<string, ZepWireNode>;
  /** owner → the other entity nodes of that graph (the targets of its facts). Optional. */
  nodes?: Record<string, ZepWireNode[]>;
  /** owner → facts. */
  edges: Record<string, ZepWireEdge[]>;
  /** owner → episodes. */
  episodes: Record<string, ZepWireEpisode[]>;
  /** Standalone graphs. */
  graphs: ZepWireGraph[];
  /** Objects created through v4 (served only on /api/v4). */
  v4?: ZepV4Only;
}

// ---------------------------------------------------------------------------------------------------------------
// Deterministic building blocks

/** FNV-1a over a string, salted; a stable 32-bit number. */
function hash32(text: string, salt: number): number {
  let value = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < text.length; i++) {
    value ^= text.charCodeAt(i);
    value = Math.imul(value, 0x01000193) >>> 0;
  }
  return value >>> 0;
}

/** A random-looking but stable version-4 UUID derived from a seed string. */
export function stableUuid(seed: string): string {
  const hex = [1, 2, 3, 4].map((salt) => hash32(seed, salt).toString(16).padStart(8, '0')).join('');
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * An RFC 3339 time the way Zep's servers write them: Go trims trailing fraction zeros (so 0–6 digits, and none
 * at all on a whole second), Graphiti's Python side writes `+00:00` and sometimes nanoseconds. `style` picks one.
 */
export function wireTime(epochMs: number, style: number): string {
  const iso = new Date(epochMs).toISOString();
  const seconds = iso.slice(0, 19);
  const millis = iso.slice(20, 23);
  const micros = String(hash32(String(epochMs), 7) % 1000).padStart(3, '0');
  switch (((style % 6) + 6) % 6) {
    case 0: // microseconds, e.g. …482913Z (Postgres precision)
      return `${seconds}.${millis}${micros.slice(0, 2)}${(Number(micros.charAt(2)) % 9) + 1}Z`;
    case 1: // a whole second: no fraction at all
      return `${seconds}Z`;
    case 2: { // milliseconds, trailing zeros trimmed as Go does
      const trimmed = millis.replace(/0+$/, '');
      return trimmed ? `${seconds}.${trimmed}Z` : `${seconds}Z`;
    }
    case 3: // Python isoformat: microseconds and an explicit offset
      return `${seconds}.${millis}${micros}+00:00`;
    case 4: // four digits, e.g. …2201Z
      return `${seconds}.${millis}${(Number(micros.charAt(0)) % 9) + 1}Z`;
    default: // nanoseconds
      return `${seconds}.${millis}${micros}${String(hash32(iso, 9) % 1000).padStart(3, '0').replace(/0$/, '7')}Z`;
  }
}

const people: readonly (readonly [string, string])[] = [
  ['Jane', 'Doe'], ['Kenji', 'Watanabe'], ['Amira', 'Haddad'], ['Lucas', 'Moreau'], ['Priya', 'Raman'],
  ['Tomás', 'Álvarez'], ['Olivia', 'Chen'], ['Noah', 'Fischer'], ['Fatima', 'Khan'], ['Erik', 'Lindqvist'],
  ['Zoë', 'Okafor'], ['Mateo', 'Rossi'],
];

/** User turn, assistant turn, and what a summary says about it. */
const conversations: readonly (readonly [string, string, string])[] = [
  ['I just moved to Lisbon for a job at Acme.', 'Congratulations on the move! How are you settling in?', 'moved to Lisbon to work at Acme'],
  ['Can you remind me to renew my passport before March?', 'Sure — I will remind you in February to renew your passport.', 'needs to renew their passport before March'],
  ['I am allergic to peanuts, so skip any recipes with them.', 'Noted: I will leave peanuts out of every recipe suggestion.', 'is allergic to peanuts'],
  ['My daughter Mia starts school next week.', 'That is exciting! Would you like a checklist for her first day?', 'has a daughter, Mia, who is starting school'],
  ['I prefer window seats on long flights.', 'Got it, I will look for window seats when booking your flights.', 'prefers window seats on long flights'],
  ['The quarterly report is due on Friday and I have not started.', 'Let us split it into three parts you can finish by Thursday.', 'has a quarterly report due on Friday'],
  ['I have been running 5 km every morning this month.', 'Great consistency! Do you want to aim for a 10 km race?', 'runs 5 km every morning'],
  ['Please use metric units from now on.', 'Will do — all measurements in metric from now on.', 'wants metric units'],
  ['Our team switched from Jira to Linear last sprint.', 'Understood. Should I adapt the sprint templates to Linear?', 'moved their team from Jira to Linear'],
  ['I am vegetarian but I eat fish now and then.', 'Thanks — I will suggest pescatarian-friendly meals.', 'eats a mostly vegetarian diet with some fish'],
];

/** Edge name, fact (with `{name}`), target entity. */
const factTemplates: readonly (readonly [string, string, string])[] = [
  ['WORKS_AT', '{name} works at Acme.', 'Acme'],
  ['LIVES_IN', '{name} lives in Lisbon.', 'Lisbon'],
  ['ALLERGIC_TO', '{name} is allergic to peanuts.', 'Peanuts'],
  ['PREFERS', '{name} prefers window seats on long flights.', 'Window seat'],
  ['PARENT_OF', '{name} is the parent of Mia.', 'Mia'],
  ['USES', '{name}’s team uses Linear for sprint planning.', 'Linear'],
  ['TRAINS_FOR', '{name} is training for a 10 km race.', '10 km race'],
  ['FOLLOWS_DIET', '{name} follows a pescatarian diet.', 'Pescatarian diet'],
  ['LIVED_IN', '{name} lived in Porto before moving.', 'Porto'],
  ['OWNS', '{name} owns a cargo bike.', 'Cargo bike'],
];

const graphTopics: readonly (readonly [string, string, readonly (readonly [string, string, string, string])[]])[] = [
  ['Company handbook', 'Policies every employee should know', [
    ['Employees', 'GET', 'Employees get 25 vacation days per year.', 'Vacation policy'],
    ['Laptops', 'REPLACED_EVERY', 'Laptops are replaced every three years.', 'Hardware policy'],
    ['Expenses', 'APPROVED_BY', 'Expenses above 500 EUR are approved by a manager.', 'Manager'],
  ]],
  ['Product catalog', 'What we sell and how it is priced', [
    ['Pro plan', 'COSTS', 'The Pro plan costs 20 EUR per month.', 'Pricing'],
    ['Team plan', 'INCLUDES', 'The Team plan includes single sign-on.', 'Single sign-on'],
    ['Free plan', 'LIMITED_TO', 'The Free plan is limited to 3 projects.', 'Project limit'],
  ]],
  ['Support playbook', 'How the support team answers', [
    ['Urgent tickets', 'ANSWERED_WITHIN', 'Urgent tickets are answered within one hour.', 'Response time'],
    ['Refunds', 'ISSUED_WITHIN', 'Refunds are issued within 14 days.', 'Refund policy'],
    ['Outages', 'ANNOUNCED_ON', 'Outages are announced on the status page.', 'Status page'],
  ]],
];

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

export interface GeneratedZepAccountOptions {
  users: number;
  threadsPerUser: number;
  messagesPerThread: number;
  factsPerUser: number;
  /** Extra `text`/`json` episodes per user (besides the one `message` episode per message). Default 2. */
  dataEpisodesPerUser?: number;
  /** Threads without a user, with messages. Default 0. */
  orphanThreads?: number;
  /** Standalone graphs with a few facts and text episodes. Default 0. */
  graphs?: number;
  apiKey?: string;
}

/**
 * A deterministic account (no randomness, fixed dates from 2025-03-01). Every user has a node with a summary;
 * every third thread (the 3rd, 6th, … overall) has no summary; most facts carry `valid_at`, every 7th from the
 * 4th on is invalidated and every 7th from the 6th on is expired; each message has a `message` episode with the
 * same uuid, plus `dataEpisodesPerUser` `text`/`json` episodes per user.
 */
export function generatedZepAccount(options: GeneratedZepAccountOptions): ZepAccount {
  const projectUuid = stableUuid('project');
  const account: ZepAccount = {
    apiKey: options.apiKey ?? 'z_test-key-0000',
    projectUuid,
    users: [],
    threads: [],
    messages: {},
    threadSummaries: {},
    userNodes: {},
    nodes: {},
    edges: {},
    episodes: {},
    graphs: [],
  };
  const start = Date.UTC(2025, 2, 1, 8, 0, 0);
  let timeStyle = 0;
  const time = (epochMs: number): string => wireTime(epochMs, timeStyle++);
  let threadCount = 0;
  let threadId = 0;

  const addThread = (thread: ZepWireThread, speakerName: string | null, at: number, conversationOffset: number): ZepWireMessage[] => {
    const messages: ZepWireMessage[] = [];
    for (let m = 0; m < options.messagesPerThread; m++) {
      const conversation = conversations[(conversationOffset + Math.floor(m / 2)) % conversations.length]!;
      const fromUser = m % 2 === 0;
      const message: ZepWireMessage = {
        uuid: stableUuid(`message:${thread.thread_id}:${m}`),
        created_at: time(at + (m + 1) * 47_000 + m * 13),
        role: fromUser ? 'user' : 'assistant',
        name: fromUser ? (speakerName ?? 'Guest') : 'AI Assistant',
        content: fromUser ? conversation[0] : conversation[1],
        processed: !(m === options.messagesPerThread - 1 && threadCount % 4 === 1),
      };
      if (m % 5 === 0) message.metadata = { channel: m % 10 === 0 ? 'web' : 'mobile', turn: m };
      messages.push(message);
    }
    account.threads.push(thread);
    account.messages[thread.thread_id] = messages;
    threadCount++;
    if (threadCount % 3 !== 0 && messages.length > 0) {
      const last = messages[messages.length - 1]!;
      const topic = conversations[conversationOffset % conversations.length]![2];
      account.threadSummaries[thread.thread_id] = {
        uuid: stableUuid(`thread-summary:${thread.thread_id}`),
        thread_id: thread.thread_id,
        summary: `${speakerName ?? 'A guest'} ${topic}; the assistant offered to help.`,
        created_at: time(at + 2 * hour),
        last_summarized_at: time(at + 2 * hour + 5_000),
        last_summarized_episode_valid_at: last.created_at,
      };
    }
    return messages;
  };

  for (let u = 0; u < options.users; u++) {
    const [first, last] = people[u % people.length]!;
    const round = Math.floor(u / people.length);
    const userId = `user-${String(u + 1).padStart(4, '0')}`;
    const fullName = round === 0 ? `${first} ${last}` : `${first} ${last} ${round + 1}`;
    const createdAt = start + u * day + u * 37_000;
    const userCreated = time(createdAt);
    const user: ZepWireUser = {
      uuid: stableUuid(`user:${userId}`),
      id: 4000 + u * 3 + 1,
      user_id: userId,
      email: `${first.toLowerCase().normalize('NFD').replace(/[^a-z]/g, '')}.${last.toLowerCase().normalize('NFD').replace(/[^a-z]/g, '')}${u + 1}@example.com`,
      first_name: first,
      last_name: round === 0 ? last : `${last} ${round + 1}`,
      metadata: u % 3 === 0 ? { plan: 'pro' } : u % 3 === 1 ? {} : null,
      created_at: userCreated,
      updated_at: userCreated,
      project_uuid: projectUuid,
      graph_uuid: stableUuid(`graph:${userId}`),
    };
    if (u % 2 === 0) user.time_zone = 'Europe/Lisbon';
    account.users.push(user);

    const userMessages: ZepWireMessage[] = [];
    const episodes: ZepWireEpisode[] = [];
    for (let t = 0; t < options.threadsPerUser; t++) {
      const at = createdAt + (t + 1) * 3 * hour;
      const thread: ZepWireThread = {
        uuid: stableUuid(`thread:${userId}:${t}`),
        id: 9000 + ++threadId,
        thread_id: `thread-${userId}-${t + 1}`,
        user_id: userId,
        created_at: time(at),
      };
      const messages = addThread(thread, fullName, at, u + t);
      thread.updated_at = messages.at(-1)?.created_at ?? thread.created_at;
      if (t % 2 === 0) thread.metadata = { source: t % 4 === 0 ? 'web' : 'slack' };
      for (const message of messages) {
        userMessages.push(message);
        episodes.push({
          uuid: message.uuid,
          content: `${message.name ?? ''}: ${message.content}`,
          created_at: message.created_at,
          source: 'message',
          source_description: '',
          processed: message.processed ?? true,
          role: message.name ?? '',
          role_type: message.role,
          thread_id: thread.thread_id,
          metadata: {},
        });
      }
    }
    for (let d = 0; d < (options.dataEpisodesPerUser ?? 2); d++) {
      const at = createdAt + (d + 1) * 5 * hour + 11_000;
      episodes.push(
        d % 2 === 0
          ? {
              uuid: stableUuid(`episode:${userId}:data:${d}`),
              content: `Onboarding form: ${fullName} chose the Pro plan and English (UK) as language (import ${d + 1}).`,
              created_at: time(at),
              source: 'text',
              source_description: 'onboarding form',
              processed: true,
              metadata: { form: 'onboarding' },
            }
          : {
              uuid: stableUuid(`episode:${userId}:data:${d}`),
              content: JSON.stringify({ event: 'profile_update', user: userId, preferences: { units: 'metric', theme: d % 4 === 1 ? 'dark' : 'light' } }),
              created_at: time(at),
              source: 'json',
              source_description: 'CRM sync',
              processed: true,
            },
      );
    }
    account.episodes[userId] = episodes;

    const userNode: ZepWireNode = {
      uuid: stableUuid(`node:user:${userId}`),
      name: fullName,
      labels: ['Entity', 'User'],
      summary: `${fullName} is a user who ${conversations[u % conversations.length]![2]} and ${conversations[(u + 1) % conversations.length]![2]}.`,
      created_at: time(createdAt + 1_000),
      attributes: { email: user.email, first_name: first },
    };
    account.userNodes[userId] = userNode;

    const edges: ZepWireEdge[] = [];
    const targets = new Map<string, ZepWireNode>();
    for (let f = 0; f < options.factsPerUser; f++) {
      const [name, template, targetName] = factTemplates[(u + f) % factTemplates.length]!;
      const targetLabel = f < factTemplates.length ? targetName : `${targetName} (${Math.floor(f / factTemplates.length) + 1})`;
      let target = targets.get(targetLabel);
      if (!target) {
        target = {
          uuid: stableUuid(`node:${userId}:${targetLabel}`),
          name: targetLabel,
          labels: ['Entity'],
          summary: `${targetLabel} is mentioned by ${fullName}.`,
          created_at: time(createdAt + 2 * hour + f * minute),
        };
        targets.set(targetLabel, target);
      }
      const validAt = createdAt + 3 * hour + f * 7 * minute;
      const source = userMessages.length > 0 ? userMessages[(f * 2) % userMessages.length] : undefined;
      edges.push({
        uuid: stableUuid(`edge:${userId}:${f}`),
        name,
        fact: template.replace('{name}', fullName),
        source_node_uuid: userNode.uuid,
        target_node_uuid: target.uuid,
        source_node_name: fullName,
        target_node_name: target.name,
        created_at: time(validAt + 5_000),
        valid_at: f % 5 === 4 ? null : time(validAt),
        invalid_at: f % 7 === 3 ? time(validAt + 20 * day) : null,
        expired_at: f % 7 === 5 ? time(validAt + 21 * day) : null,
        episodes: source ? [source.uuid] : [],
        attributes: {},
      });
    }
    account.edges[userId] = edges;
    account.nodes![userId] = [...targets.values()];
  }

  for (let o = 0; o < (options.orphanThreads ?? 0); o++) {
    const at = start - 30 * day + o * 4 * hour;
    addThread(
      {
        uuid: stableUuid(`thread:orphan:${o}`),
        id: 9000 + ++threadId,
        thread_id: `orphan-session-${o + 1}`,
        user_id: o % 2 === 0 ? null : '',
        created_at: time(at),
        metadata: { source: 'sdk-1.x' },
      },
      null,
      at,
      o,
    );
  }

  for (let g = 0; g < (options.graphs ?? 0); g++) {
    const [title, description, facts] = graphTopics[g % graphTopics.length]!;
    const graphId = `graph-${title.toLowerCase().replace(/\s+/g, '-')}${g >= graphTopics.length ? `-${g + 1}` : ''}`;
    const createdAt = start + g * 2 * day + 9 * hour;
    account.graphs.push({
      uuid: stableUuid(`graph:${graphId}`),
      id: 700 + g,
      graph_id: graphId,
      name: g >= graphTopics.length ? `${title} ${g + 1}` : title,
      description,
      created_at: time(createdAt),
      project_uuid: projectUuid,
    });
    const episodes: ZepWireEpisode[] = facts.map(([, , fact], e) => ({
      uuid: stableUuid(`episode:${graphId}:${e}`),
      content: fact,
      created_at: time(createdAt + (e + 1) * hour),
      source: 'text',
      source_description: 'handbook import',
      processed: true,
    }));
    const nodes: ZepWireNode[] = [];
    const edges: ZepWireEdge[] = facts.map(([subject, name, fact, object], e) => {
      const sourceNode: ZepWireNode = {
        uuid: stableUuid(`node:${graphId}:${subject}`),
        name: subject,
        labels: ['Entity'],
        summary: fact,
        created_at: time(createdAt + (e + 1) * hour + 1_000),
      };
      const targetNode: ZepWireNode = {
        uuid: stableUuid(`node:${graphId}:${object}`),
        name: object,
        labels: ['Entity'],
        summary: `${object}: see the ${title.toLowerCase()}.`,
        created_at: time(createdAt + (e + 1) * hour + 2_000),
      };
      nodes.push(sourceNode, targetNode);
      return {
        uuid: stableUuid(`edge:${graphId}:${e}`),
        name,
        fact,
        source_node_uuid: sourceNode.uuid,
        target_node_uuid: targetNode.uuid,
        source_node_name: subject,
        target_node_name: object,
        created_at: time(createdAt + (e + 1) * hour + 3_000),
        valid_at: time(createdAt + (e + 1) * hour),
        invalid_at: null,
        expired_at: null,
        episodes: [episodes[e]!.uuid],
      };
    });
    account.edges[graphId] = edges;
    account.episodes[graphId] = episodes;
    account.nodes![graphId] = nodes;
  }
  return account;
}

/** The user id that needs URL encoding: the SDK sends `a%2Fb%20c%40d`. */
export const tinyEncodedUserId = 'a/b c@d';

/**
 * A small hand-written account with the tricky cases: a user id needing URL encoding, every message role, a
 * message with metadata, an empty message, unicode (emoji, CJK, RTL), an invalidated and an expired fact, a thread
 * without summary, two orphan threads (`user_id` null and ''), a standalone graph, and a user without threads.
 */
export function tinyZepAccount(): ZepAccount {
  const projectUuid = '0c9d7a52-3f4e-4b8a-9e61-2d7f5a1b8c40';
  const ana = { uuid: '6f1a2c3e-8a4b-4c1e-9d2f-0b5e7a9c1d23', node: '3c2a9e1f-7b4d-4c8a-b6e2-1f0d9c8b7a65' };
  const jane = { uuid: '8b0d4f6a-1c3e-4a5b-9d7f-2e4a6c8b0d1f', node: 'a1c3e5f7-9b2d-4f6a-8c0e-3d5f7a9b1c2e' };
  const lone = { uuid: 'c4e6a8b0-2d4f-4b6c-8e0a-5f7b9d1c3e5a', node: 'd9f1b3c5-7e9a-4c2e-a4b6-8d0f2a4c6e8b' };
  const messages: Record<string, ZepWireMessage[]> = {
    'tiny-thread-1': [
      { uuid: 'c1f0e3a2-4b5d-4e6f-8a9b-0c1d2e3f4a01', created_at: '2025-08-14T09:22:01.004Z', role: 'system', name: 'System', content: 'You are a helpful assistant.', processed: true },
      { uuid: 'c1f0e3a2-4b5d-4e6f-8a9b-0c1d2e3f4a02', created_at: '2025-08-14T09:22:05.118Z', role: 'user', name: 'Ana Bécquer', content: 'I just moved to Lisbon for a job at Acme.', metadata: { channel: 'web', tags: ['move', 'job'], priority: 2 }, processed: true },
      { uuid: 'c1f0e3a2-4b5d-4e6f-8a9b-0c1d2e3f4a03', created_at: '2025-08-14T09:22:07.902Z', role: 'assistant', name: 'AI Assistant', content: 'Congratulations on the move! 🎉', processed: true },
      { uuid: 'c1f0e3a2-4b5d-4e6f-8a9b-0c1d2e3f4a04', created_at: '2025-08-14T09:22:09Z', role: 'function', name: 'get_weather', content: '{"city":"Lisbon","celsius":24}', processed: true },
      { uuid: 'c1f0e3a2-4b5d-4e6f-8a9b-0c1d2e3f4a05', created_at: '2025-08-14T09:22:10.5+00:00', role: 'tool', name: 'calendar', content: 'Event created: 東京出張 (Tokyo trip) on 2025-09-01.', processed: true },
      { uuid: 'c1f0e3a2-4b5d-4e6f-8a9b-0c1d2e3f4a06', created_at: '2025-08-14T09:22:11.123456789Z', role: 'norole', content: 'مرحبا بالعالم — note imported without a role.', processed: false },
      { uuid: 'c1f0e3a2-4b5d-4e6f-8a9b-0c1d2e3f4a07', created_at: '2025-08-14T09:22:12.2201Z', role: 'user', name: 'Ana Bécquer', content: '', processed: false },
    ],
    'tiny-thread-2': [
      { uuid: 'c1f0e3a2-4b5d-4e6f-8a9b-0c1d2e3f4b01', created_at: '2025-08-15T18:00:00Z', role: 'user', name: 'Ana Bécquer', content: 'Remind me to call the landlord.', processed: true },
      { uuid: 'c1f0e3a2-4b5d-4e6f-8a9b-0c1d2e3f4b02', created_at: '2025-08-15T18:00:02.71Z', role: 'assistant', name: 'AI Assistant', content: 'Reminder set for tomorrow at 9:00.', processed: true },
    ],
    'tiny-thread-3': [
      { uuid: 'c1f0e3a2-4b5d-4e6f-8a9b-0c1d2e3f4c01', created_at: '2024-11-02T14:03:15.2201Z', role: 'user', name: 'Jane', content: 'I work at Initech now, not Acme.', processed: true },
      { uuid: 'c1f0e3a2-4b5d-4e6f-8a9b-0c1d2e3f4c02', created_at: '2024-11-02T14:03:18.482913Z', role: 'assistant', name: 'AI Assistant', content: 'Thanks, I updated that.', processed: true },
    ],
    'orphan-session-a': [
      { uuid: 'c1f0e3a2-4b5d-4e6f-8a9b-0c1d2e3f4d01', created_at: '2024-06-01T10:00:00.1Z', role: 'user', name: 'human', content: 'Hello from an old 1.x integration.', processed: true },
      { uuid: 'c1f0e3a2-4b5d-4e6f-8a9b-0c1d2e3f4d02', created_at: '2024-06-01T10:00:01Z', role: 'assistant', name: 'ai', content: 'Hello! How can I help?', processed: true },
    ],
    'orphan-session-b': [
      { uuid: 'c1f0e3a2-4b5d-4e6f-8a9b-0c1d2e3f4e01', created_at: '2024-06-02T11:30:00+00:00', role: 'user', content: 'A session created with an empty user id.', processed: true },
    ],
  };
  const messageEpisode = (message: ZepWireMessage, threadId: string): ZepWireEpisode => ({
    uuid: message.uuid,
    content: `${message.name ?? ''}: ${message.content}`,
    created_at: message.created_at,
    source: 'message',
    source_description: '',
    processed: message.processed ?? true,
    role: message.name ?? '',
    role_type: message.role,
    thread_id: threadId,
    metadata: {},
  });
  return {
    apiKey: 'z_tiny-key-0000',
    projectUuid,
    users: [
      {
        uuid: ana.uuid, id: 4182, user_id: tinyEncodedUserId, email: 'ana@example.com', first_name: 'Ana', last_name: 'Bécquer',
        metadata: { plan: 'pro' }, created_at: '2025-08-14T09:21:37.512345Z', updated_at: '2025-08-14T09:21:37.512345Z',
        project_uuid: projectUuid, graph_uuid: 'a4e2b7c9-1d3f-4e5a-8b6c-7d9e0f1a2b3c', time_zone: 'Europe/Lisbon',
      },
      {
        uuid: jane.uuid, id: 4001, user_id: 'user-jane', email: 'jane@example.com', first_name: 'Jane', last_name: 'Doe',
        created_at: '2024-11-02T14:03:11.482913Z', updated_at: '2024-11-02T14:03:11.482913Z', project_uuid: projectUuid,
      },
      {
        uuid: lone.uuid, id: 4200, user_id: 'user-without-threads', first_name: 'Li', last_name: 'Wei',
        created_at: '2025-09-01T00:00:00Z', project_uuid: projectUuid,
      },
    ],
    threads: [
      { uuid: '1b7e4d2a-9c3f-4a8e-b5d1-6f2e8a0c4b01', id: 9901, thread_id: 'orphan-session-a', user_id: null, created_at: '2024-06-01T10:00:00Z', metadata: { source: 'sdk-1.x' } },
      { uuid: '1b7e4d2a-9c3f-4a8e-b5d1-6f2e8a0c4b02', id: 9902, thread_id: 'orphan-session-b', user_id: '', created_at: '2024-06-02T11:29:59.9+00:00' },
      { uuid: '1b7e4d2a-9c3f-4a8e-b5d1-6f2e8a0c4b03', id: 9921, thread_id: 'tiny-thread-3', user_id: 'user-jane', created_at: '2024-11-02T14:03:11.482913Z', updated_at: '2024-11-02T14:03:18.482913Z', metadata: { source: 'web' } },
      { uuid: '1b7e4d2a-9c3f-4a8e-b5d1-6f2e8a0c4b04', id: 9950, thread_id: 'tiny-thread-1', user_id: tinyEncodedUserId, created_at: '2025-08-14T09:22:01.004Z' },
      { uuid: '1b7e4d2a-9c3f-4a8e-b5d1-6f2e8a0c4b05', id: 9951, thread_id: 'tiny-thread-2', user_id: tinyEncodedUserId, created_at: '2025-08-15T17:59:58Z' },
    ],
    messages,
    threadSummaries: {
      'tiny-thread-1': {
        uuid: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a801', thread_id: 'tiny-thread-1', summary: 'Ana relocated to Lisbon to work at Acme and plans a trip to 東京. 🎉',
        created_at: '2025-08-14T09:25:00Z', last_summarized_at: '2025-08-14T09:25:00Z', last_summarized_episode_valid_at: '2025-08-14T09:22:12.2201Z',
      },
      'tiny-thread-3': {
        uuid: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a803', thread_id: 'tiny-thread-3', summary: 'Jane changed jobs from Acme to Initech.',
        created_at: '2024-11-02T14:10:00.000001Z', last_summarized_at: '2024-11-02T14:10:00.000001Z',
      },
    },
    userNodes: {
      [tinyEncodedUserId]: { uuid: ana.node, name: 'Ana Bécquer', labels: ['Entity', 'User'], summary: 'Ana Bécquer moved to Lisbon for Acme; she is planning a trip to 東京.', created_at: '2025-08-14T09:21:38.001Z', attributes: { email: 'ana@example.com' } },
      'user-jane': { uuid: jane.node, name: 'Jane Doe', labels: ['Entity', 'User'], summary: 'Jane Doe works at Initech; she used to work at Acme.', created_at: '2024-11-02T14:03:12Z', attributes: { email: 'jane@example.com' } },
      'user-without-threads': { uuid: lone.node, name: 'Li Wei', labels: ['Entity', 'User'], summary: '', created_at: '2025-09-01T00:00:00.5Z' },
    },
    nodes: {
      [tinyEncodedUserId]: [{ uuid: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c01', name: 'Lisbon', labels: ['Entity', 'Location'], summary: 'A city in Portugal.', created_at: '2025-08-14T09:22:12.553Z' }],
      'user-jane': [
        { uuid: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c02', name: 'Acme', labels: ['Entity', 'Organization'], summary: 'A company.', created_at: '2024-11-02T14:03:20Z' },
        { uuid: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c03', name: 'Initech', labels: ['Entity', 'Organization'], summary: 'Another company.', created_at: '2024-11-02T14:03:21Z' },
      ],
      'graph-team-handbook': [
        { uuid: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c04', name: 'Employees', labels: ['Entity'], summary: 'Everyone on the payroll.', created_at: '2025-01-10T08:00:00Z' },
        { uuid: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c05', name: 'Vacation policy', labels: ['Entity'], summary: '25 days a year.', created_at: '2025-01-10T08:00:01Z' },
      ],
    },
    edges: {
      [tinyEncodedUserId]: [
        {
          uuid: '9b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d01', name: 'LIVES_IN', fact: 'Ana Bécquer lives in Lisbon.', source_node_uuid: ana.node,
          target_node_uuid: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c01', source_node_name: 'Ana Bécquer', target_node_name: 'Lisbon',
          created_at: '2025-08-14T09:22:12.553Z', valid_at: '2025-08-14T09:22:05.118Z', invalid_at: null, expired_at: null,
          episodes: ['c1f0e3a2-4b5d-4e6f-8a9b-0c1d2e3f4a02'], attributes: {},
        },
      ],
      'user-jane': [
        {
          uuid: '9b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d02', name: 'WORKS_AT', fact: 'Jane Doe works at Acme.', source_node_uuid: jane.node,
          target_node_uuid: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c02', source_node_name: 'Jane Doe', target_node_name: 'Acme',
          created_at: '2024-05-01T12:00:00Z', valid_at: '2024-05-01T00:00:00Z', invalid_at: '2024-11-02T14:03:15.2201Z', expired_at: null,
          episodes: [], attributes: {},
        },
        {
          uuid: '9b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d03', name: 'WORKS_AT', fact: 'Jane Doe is employed by Acme as an analyst.', source_node_uuid: jane.node,
          target_node_uuid: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c02', source_node_name: 'Jane Doe', target_node_name: 'Acme',
          created_at: '2024-05-02T12:00:00.1Z', valid_at: null, invalid_at: null, expired_at: '2024-11-02T14:03:20+00:00',
          episodes: [], attributes: { role: 'analyst' },
        },
        {
          uuid: '9b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d04', name: 'WORKS_AT', fact: 'Jane Doe works at Initech.', source_node_uuid: jane.node,
          target_node_uuid: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c03', source_node_name: 'Jane Doe', target_node_name: 'Initech',
          created_at: '2024-11-02T14:03:20.000123Z', valid_at: '2024-11-02T14:03:15.2201Z', invalid_at: null, expired_at: null,
          episodes: ['c1f0e3a2-4b5d-4e6f-8a9b-0c1d2e3f4c01'], attributes: {},
        },
      ],
      'graph-team-handbook': [
        {
          uuid: '9b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d05', name: 'GET', fact: 'Employees get 25 vacation days per year.',
          source_node_uuid: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c04', target_node_uuid: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c05',
          source_node_name: 'Employees', target_node_name: 'Vacation policy', created_at: '2025-01-10T08:00:02Z', valid_at: '2025-01-10T08:00:00Z',
          invalid_at: null, expired_at: null, episodes: ['e0f1a2b3-c4d5-4e6f-8a7b-9c0d1e2f3a04'],
        },
      ],
    },
    episodes: {
      [tinyEncodedUserId]: [
        ...messages['tiny-thread-1']!.map((message) => messageEpisode(message, 'tiny-thread-1')),
        ...messages['tiny-thread-2']!.map((message) => messageEpisode(message, 'tiny-thread-2')),
      ],
      'user-jane': [
        ...messages['tiny-thread-3']!.map((message) => messageEpisode(message, 'tiny-thread-3')),
        {
          uuid: 'e0f1a2b3-c4d5-4e6f-8a7b-9c0d1e2f3a01', content: '{"employer":"Initech","since":"2024-11"}', created_at: '2024-11-03T08:00:00Z',
          source: 'json', source_description: 'HR sync', processed: true,
        },
        {
          uuid: 'e0f1a2b3-c4d5-4e6f-8a7b-9c0d1e2f3a02', content: 'Jane Doe joined the Initech analytics team.', created_at: '2024-11-03T08:00:01.5Z',
          source: 'text', source_description: 'note', processed: true, metadata: { author: 'hr' },
        },
        {
          uuid: 'e0f1a2b3-c4d5-4e6f-8a7b-9c0d1e2f3a03', content: 'Jane Doe | WORKS_AT | Initech', created_at: '2024-11-03T08:00:02Z',
          source: 'fact_triple', processed: true,
        },
      ],
      'graph-team-handbook': [
        { uuid: 'e0f1a2b3-c4d5-4e6f-8a7b-9c0d1e2f3a04', content: 'Employees get 25 vacation days per year.', created_at: '2025-01-10T08:00:00Z', source: 'text', source_description: 'handbook', processed: true },
      ],
    },
    graphs: [
      { uuid: 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b', id: 701, graph_id: 'graph-team-handbook', name: 'Team handbook', description: 'Policies everyone should know', created_at: '2025-01-10T07:59:00Z', project_uuid: projectUuid },
    ],
  };
}

/**
 * The same project after its application moved to v4 (zep-v4.md §11): every v3 graph gets its v4 address
 * (`canonical_graph_uuid`, ≠ its v3 `uuid`), and v4-born objects join it —
 * - user Li (no `user_id`; `graph_uuid` ≠ `uuid`; metadata with an array) with a thread of all five roles, a
 *   message without `name`, two with equal `created_at`, a back-filled one (`reference_time` a year older), one not
 *   processed; and a thread without messages (its summary is 404);
 * - user Noor (no `user_id`, no email, no metadata, no user node: 404);
 * - a thread whose `user_uuid` matches no listed user (an orphan, `thread:<uuid>`);
 * - in Li's graph: a current fact without `valid_at` and without node names, an expired-only fact, an invalidated
 *   one, a hyperedge of three members sharing one `fact`, empty `episode_uuids`; data episodes `text`, `json`
 *   chunks sharing a `document_id`, one `processed: false` with `wait_status`, one processing-expired, one with
 *   `reference_time` older than `created_at`;
 * - a standalone graph created through v4 (no `graph_id`) with a fact and a text episode.
 */
export function withV4Objects(account: ZepAccount): ZepAccount {
  const li = { uuid: '0d6c2b1a-5e4f-4a3b-9c8d-7e6f5a4b3c2d', graph: 'c3b2a190-8f7e-4d6c-b5a4-938271605f4e', node: '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d' };
  const noor = { uuid: '2e4f6a8b-0c1d-4e3f-a5b7-c9d1e3f5a7b9', graph: '3f5a7b9c-1d2e-4f4a-b6c8-d0e2f4a6b8c0' };
  const chat = '7a1c9e3b-2d4f-4b6a-8c0e-1f3a5b7c9d2e';
  const quiet = '7a1c9e3b-2d4f-4b6a-8c0e-1f3a5b7c9d3f';
  const stray = '7a1c9e3b-2d4f-4b6a-8c0e-1f3a5b7c9d4a';
  const graph = '9e8d7c6b-5a4f-4e3d-9c2b-1a0f9e8d7c6b';
  const at = (minutes: number): string => new Date(Date.UTC(2026, 9, 20, 8, 0, 0) + minutes * 60_000).toISOString().replace('.000Z', 'Z');
  const message = (n: number, role: ZepWireRole, content: string, extra: Partial<ZepWireMessage> = {}): ZepWireMessage => ({
    uuid: `c1f0e3a2-4b5d-4e6f-8a9b-4f0000000${String(n).padStart(3, '0')}`,
    created_at: at(5 + n),
    role,
    name: role === 'user' ? 'Li' : role === 'assistant' ? 'AI Assistant' : role,
    content,
    processed: true,
    ...extra,
  });
  const chatMessages: ZepWireMessage[] = [
    message(1, 'system', 'You are a travel assistant.'),
    message(2, 'user', 'Book me a train to Porto on Friday.', { metadata: { channel: 'app', tags: ['travel', 'rail'] } }),
    message(3, 'assistant', 'Booked: Lisbon → Porto, Friday 09:00.', { created_at: at(7) }),
    message(4, 'function', '{"train":"AP 123","seat":"42A"}', { created_at: at(7) }),
    message(5, 'tool', 'calendar: event created'),
    { uuid: 'c1f0e3a2-4b5d-4e6f-8a9b-4f0000000006', created_at: at(11), role: 'user', content: 'No speaker name on this one.', processed: false },
    message(7, 'user', 'Last year I told you I prefer aisle seats.', { reference_time: '2025-10-01T12:00:00Z' }),
  ];
  const edge = (n: number, fact: string, extra: Partial<ZepWireEdge> = {}): ZepWireEdge => ({
    uuid: `9b1d2c3e-4f5a-4b6c-8d7e-4f00000000${String(n).padStart(2, '0')}`,
    name: 'RELATES_TO',
    fact,
    source_node_uuid: li.node,
    target_node_uuid: `7a8b9c0d-1e2f-4a3b-8c4d-4f00000000${String(n).padStart(2, '0')}`,
    source_node_name: 'Li',
    target_node_name: 'Porto',
    created_at: at(20 + n),
    valid_at: at(10),
    invalid_at: null,
    expired_at: null,
    episodes: [],
    attributes: {},
    scope: 'entity',
    ...extra,
  });
  const hyperedge = 'ab12cd34-ef56-4a78-9b0c-4f00000000e1';
  const episode = (n: number, source: ZepWireEpisodeSource, content: string, extra: Partial<ZepWireEpisode> = {}): ZepWireEpisode => ({
    uuid: `e0f1a2b3-c4d5-4e6f-8a7b-4f00000000${String(n).padStart(2, '0')}`,
    content,
    created_at: at(30 + n),
    source,
    source_description: 'v4 import',
    processed: true,
    metadata: { src: 'v4' },
    ...extra,
  });
  return {
    ...account,
    graphs: account.graphs.map((graph) => ({ ...graph, canonical_graph_uuid: graph.canonical_graph_uuid ?? stableUuid(`v4-graph:${graph.graph_id}`) })),
    messages: { ...account.messages, [chat]: chatMessages, [quiet]: [], [stray]: [message(8, 'user', 'A thread whose user is gone.')] },
    threadSummaries: {
      ...account.threadSummaries,
      [chat]: { uuid: '5e6f7a8b-9c0d-4e1f-a2b3-4f0000000001', thread_id: chat, summary: 'Li booked a train to Porto and prefers aisle seats.', created_at: at(40), last_summarized_at: at(41) },
    },
    userNodes: {
      ...account.userNodes,
      [li.uuid]: { uuid: li.node, name: 'Li', labels: ['Entity', 'User'], summary: 'Li travels by train between Lisbon and Porto.', created_at: at(1) },
    },
    edges: {
      ...account.edges,
      [li.uuid]: [
        edge(1, 'Li travels to Porto on Friday.', { valid_at: null, source_node_name: undefined, target_node_name: undefined }),
        edge(2, 'Li lives in Lisbon.', { expired_at: at(60) }),
        edge(3, 'Li prefers window seats.', { invalid_at: at(11), expired_at: at(61) }),
        ...[4, 5, 6].map((n) => edge(n, 'Li, Ana and Jane share a train compartment.', { hyperedge_uuid: hyperedge })),
      ],
      [graph]: [edge(9, 'Trains to Porto leave every hour.', { source_node_uuid: '7a8b9c0d-1e2f-4a3b-8c4d-4f0000000090', source_node_name: 'Trains' })],
    },
    episodes: {
      ...account.episodes,
      [li.uuid]: [
        episode(1, 'text', 'Li signed up through the mobile app.'),
        episode(2, 'json', '{"part":1,"of":"itinerary"}', { document_id: 'itinerary-7' }),
        episode(3, 'json', '{"part":2,"of":"itinerary"}', { document_id: 'itinerary-7' }),
        episode(4, 'text', 'Li asked for a rail pass.', { processed: false, wait_status: 'processing_delayed' }),
        episode(5, 'text', 'Li uploaded an old ticket.', { processed: false, expired_at: at(9000) }),
        episode(6, 'text', 'Li lived in Macau until 2024.', { reference_time: '2024-01-01T00:00:00Z' }),
        { ...episode(7, 'message', 'Li: Book me a train to Porto on Friday.'), uuid: chatMessages[1]!.uuid, role: 'Li', role_type: 'user', thread_id: chat },
      ],
      [graph]: [episode(9, 'text', 'The rail timetable changes in December.')],
    },
    v4: {
      users: [
        { uuid: li.uuid, email: 'li@example.com', first_name: 'Li', metadata: { plan: 'free', langs: ['pt', 'zh'] }, graph_uuid: li.graph, time_zone: 'Europe/Lisbon', created_at: at(0) },
        { uuid: noor.uuid, first_name: 'Noor', graph_uuid: noor.graph, created_at: at(2) },
      ],
      threads: [
        { uuid: chat, user_uuid: li.uuid, created_at: at(4), updated_at: at(12) },
        { uuid: quiet, user_uuid: li.uuid, created_at: at(4), updated_at: at(4) },
        { uuid: stray, user_uuid: 'ffffffff-0000-4000-8000-000000000000', created_at: at(3), updated_at: at(13) },
      ],
      graphs: [{ uuid: graph, name: 'Rail handbook', description: 'Created through v4', created_at: at(50) }],
    },
  };
}

/**
 * The account with the user `from` renamed `to`, everything it owns following it (threads, node, facts, nodes,
 * episodes): to give a user an id chosen to collide with another tenant's key (`thread:<id>`, `graph:<id>`).
 */
export function withUserRenamed(account: ZepAccount, from: string, to: string): ZepAccount {
  const rekeyed = <T>(record: Record<string, T> | undefined): Record<string, T> =>
    Object.fromEntries(Object.entries(record ?? {}).map(([key, value]) => [key === from ? to : key, value]));
  return {
    ...account,
    users: account.users.map((user) => (user.user_id === from ? { ...user, user_id: to } : user)),
    threads: account.threads.map((thread) => (thread.user_id === from ? { ...thread, user_id: to } : thread)),
    userNodes: rekeyed(account.userNodes),
    nodes: rekeyed(account.nodes),
    edges: rekeyed(account.edges),
    episodes: rekeyed(account.episodes),
  };
}

/**
 * Deletes a user from the account in place, as Zep does once its delete task completes (zep-v4.md §2): the user,
 * its threads with their messages and summaries, and its graph. `userId` is a v3 `user_id`, or the uuid of a user
 * created through v4. The handlers read the account on every request, so a running fake serves the deletion.
 */
export function deleteUser(account: ZepAccount, userId: string): void {
  const v3Threads = account.threads.filter((thread) => thread.user_id === userId).map((thread) => thread.thread_id);
  const v4Threads = (account.v4?.threads ?? []).filter((thread) => thread.user_uuid === userId).map((thread) => thread.uuid);
  account.users = account.users.filter((user) => user.user_id !== userId);
  account.threads = account.threads.filter((thread) => thread.user_id !== userId);
  // In place: the v4 handlers hold on to the account's `v4` object.
  const v4 = account.v4;
  if (v4) {
    v4.users.splice(0, v4.users.length, ...v4.users.filter((user) => user.uuid !== userId));
    v4.threads.splice(0, v4.threads.length, ...v4.threads.filter((thread) => thread.user_uuid !== userId));
  }
  for (const thread of [...v3Threads, ...v4Threads]) {
    delete account.messages[thread];
    delete account.threadSummaries[thread];
  }
  delete account.userNodes[userId];
  delete account.edges[userId];
  delete account.episodes[userId];
  if (account.nodes) delete account.nodes[userId];
}
