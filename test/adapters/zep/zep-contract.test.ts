// The official Zep clients against our fake: @getzep/zep-cloud 3.30.0 (threads) and 2.22.0 (sessions, installed as
// zep-cloud-v2). If the fake drifted from the wire these clients speak, the camelCase values they hand back would be
// wrong or missing and this fails. What the SDKs cannot see (snake_case on the wire, headers, paging edge cases) is
// tested with raw fetch in test/fakes/zep/zep-handlers.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Zep, ZepClient, ZepError } from '@getzep/zep-cloud';
import { Zep as ZepV2, ZepClient as ZepClientV2, ZepError as ZepErrorV2 } from 'zep-cloud-v2';
import { generatedZepAccount, tinyEncodedUserId, tinyZepAccount, type ZepAccount } from '../../fakes/zep/zep-account.js';
import { startZepFake, type ServedZepFake } from '../../support/zep-fake.js';

/** The SDKs retry 408/429/5xx with 1–2 s backoff; a contract test wants the first answer. */
const once = { maxRetries: 0 };

const account = generatedZepAccount({
  users: 7,
  threadsPerUser: 2,
  messagesPerThread: 9,
  factsPerUser: 12,
  dataEpisodesPerUser: 3,
  orphanThreads: 2,
  graphs: 3,
});
const tiny = tinyZepAccount();
const firstUser = account.users[0]!;
const firstThreads = account.threads.filter((thread) => thread.user_id === firstUser.user_id);

let cloud: ServedZepFake;
let tinyCloud: ServedZepFake;
let sessionsOnly: ServedZepFake;
let bothGenerations: ServedZepFake;
let community: ServedZepFake;

beforeAll(async () => {
  [cloud, tinyCloud, sessionsOnly, bothGenerations, community] = await Promise.all([
    startZepFake(account),
    startZepFake(tiny),
    startZepFake(account, { generation: 'v2' }),
    startZepFake(account, { generation: 'v2', v2Only: false }),
    startZepFake(account, { generation: 'ce' }),
  ]);
});
afterAll(async () => {
  await Promise.all([cloud, tinyCloud, sessionsOnly, bothGenerations, community].map((served) => served?.close()));
});

const v3Client = (served: ServedZepFake, of: ZepAccount = account, apiKey = of.apiKey): ZepClient =>
  new ZepClient({ apiKey, baseUrl: served.baseUrl });
const v2Client = (served: ServedZepFake, apiKey = account.apiKey): ZepClientV2 =>
  new ZepClientV2({ apiKey, environment: served.baseUrl });

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('@getzep/zep-cloud 3.30.0 against the fake Zep Cloud (v3)', () => {
  it('pages through every user with user.listOrdered, camelCase fields included', async () => {
    const client = v3Client(cloud);
    const seen: string[] = [];
    for (let pageNumber = 1; pageNumber < 10; pageNumber++) {
      const page = await client.user.listOrdered({ pageNumber, pageSize: 3, orderBy: 'created_at', asc: true }, once);
      expect(page.totalCount).toBe(7);
      expect(page.rowCount).toBe(page.users?.length);
      seen.push(...(page.users ?? []).map((user) => user.userId ?? '?'));
      if ((page.users ?? []).length < 3) break;
    }
    expect(seen).toEqual(account.users.map((user) => user.user_id));

    const [user] = (await client.user.listOrdered({ pageNumber: 1, pageSize: 1, orderBy: 'user_id', asc: true }, once)).users ?? [];
    expect(user).toMatchObject({
      uuid: firstUser.uuid,
      userId: firstUser.user_id,
      email: firstUser.email,
      firstName: firstUser.first_name,
      lastName: firstUser.last_name,
      createdAt: firstUser.created_at,
      projectUuid: account.projectUuid,
      graphUuid: firstUser.graph_uuid,
      sessionCount: 2,
    });
  });

  it('lists a user’s threads and pages through a thread’s messages with thread.get(limit, cursor)', async () => {
    const client = v3Client(cloud);
    const threads = await client.user.getThreads(firstUser.user_id, once);
    expect(threads.map((thread) => [thread.threadId, thread.userId, thread.userUuid, thread.createdAt])).toEqual(
      firstThreads.map((thread) => [thread.thread_id, firstUser.user_id, firstUser.uuid, thread.created_at]),
    );

    const threadId = firstThreads[0]!.thread_id;
    const expected = account.messages[threadId]!;
    const messages: Zep.Message[] = [];
    for (let cursor = 1; cursor < 10; cursor++) {
      const page = await client.thread.get(threadId, { limit: 4, cursor }, once);
      expect(page.totalCount).toBe(9);
      expect(page.threadCreatedAt).toBe(firstThreads[0]!.created_at);
      expect(page.userId).toBe(firstUser.user_id);
      messages.push(...(page.messages ?? []));
      if ((page.messages ?? []).length < 4) break;
    }
    expect(messages.map((message) => [message.uuid, message.role, message.name, message.content, message.createdAt])).toEqual(
      expected.map((message) => [message.uuid, message.role, message.name, message.content, message.created_at]),
    );
    expect(messages[0]).toMatchObject({ role: 'user', name: 'Jane Doe', metadata: { channel: 'web', turn: 0 }, processed: true });
    expect(messages[1]).toMatchObject({ role: 'assistant', name: 'AI Assistant' });

    const lastTwo = await client.thread.get(threadId, { lastn: 2 }, once);
    expect(lastTwo.messages?.map((message) => message.uuid)).toEqual(expected.slice(-2).map((message) => message.uuid));
  });

  it('lists every thread, orphans included, with thread.listAll', async () => {
    const client = v3Client(cloud);
    const threadIds: string[] = [];
    for (let pageNumber = 1; pageNumber < 10; pageNumber++) {
      const page = await client.thread.listAll({ pageNumber, pageSize: 5, orderBy: 'created_at', asc: true }, once);
      expect(page.totalCount).toBe(16);
      expect(page.responseCount).toBe(page.threads?.length);
      threadIds.push(...(page.threads ?? []).map((thread) => thread.threadId ?? '?'));
      if ((page.threads ?? []).length < 5) break;
    }
    expect(threadIds).toHaveLength(16);
    expect(new Set(threadIds)).toEqual(new Set(account.threads.map((thread) => thread.thread_id)));
    // Orphans were created first (2025-01-30…), so ascending creation order puts them first.
    expect(threadIds.slice(0, 2)).toEqual(['orphan-session-1', 'orphan-session-2']);
    const orphan = (await client.thread.listAll({ pageNumber: 1, pageSize: 1, orderBy: 'created_at', asc: true }, once)).threads?.[0];
    expect(orphan?.threadId).toBe('orphan-session-1');
    expect(orphan?.userId).toBeUndefined(); // user_id null on the wire; the SDK drops nulls
  });

  it('follows Zep-Next-Cursor through a user’s facts with graph.edge.getByUserId', async () => {
    const client = v3Client(cloud);
    const userId = firstUser.user_id;
    const edges: Zep.EntityEdge[] = [];
    const cursors: (string | null)[] = [];
    let cursor: string | undefined;
    for (let pageCount = 0; pageCount < 10; pageCount++) {
      const { data, rawResponse } = await client.graph.edge.getByUserId(userId, cursor ? { limit: 5, cursor } : { limit: 5 }, once).withRawResponse();
      edges.push(...data);
      const next = rawResponse.headers.get('zep-next-cursor');
      cursors.push(next);
      if (!next) break;
      cursor = next;
    }
    expect(edges.map((edge) => edge.uuid)).toHaveLength(12);
    expect(cursors.map((next) => next !== null)).toEqual([true, true, false]); // pages of 5, 5, 2; none after the last
    // Default order: uuid, descending.
    expect(edges.map((edge) => edge.uuid)).toEqual(account.edges[userId]!.map((edge) => edge.uuid).sort().reverse());

    const byUuid = new Map(edges.map((edge) => [edge.uuid, edge]));
    const wire = account.edges[userId]!;
    expect(byUuid.get(wire[0]!.uuid)).toMatchObject({
      name: wire[0]!.name,
      fact: wire[0]!.fact,
      sourceNodeUuid: account.userNodes[userId]!.uuid,
      sourceNodeName: 'Jane Doe',
      targetNodeName: wire[0]!.target_node_name,
      createdAt: wire[0]!.created_at,
      validAt: wire[0]!.valid_at,
      episodes: wire[0]!.episodes,
    });
    expect(byUuid.get(wire[3]!.uuid)?.invalidAt).toBe(wire[3]!.invalid_at); // invalidated
    expect(byUuid.get(wire[5]!.uuid)?.expiredAt).toBe(wire[5]!.expired_at); // expired
    expect(byUuid.get(wire[4]!.uuid)?.validAt).toBeUndefined(); // valid_at null on the wire
    expect(byUuid.get(wire[0]!.uuid)?.invalidAt).toBeUndefined();

    // The deprecated uuid_cursor (the last uuid seen) reaches the same second page.
    const firstPage = await client.graph.edge.getByUserId(userId, { limit: 5 }, once);
    const secondPage = await client.graph.edge.getByUserId(userId, { limit: 5, uuidCursor: firstPage.at(-1)!.uuid }, once);
    expect(secondPage.map((edge) => edge.uuid)).toEqual(edges.slice(5, 10).map((edge) => edge.uuid));
  });

  it('reads episodes with graph.episode.getByUserId (lastn) and pages them with listByUserId', async () => {
    const client = v3Client(cloud);
    const userId = firstUser.user_id;
    const recent = await client.graph.episode.getByUserId(userId, { lastn: 3 }, once);
    expect(recent.episodes?.map((episode) => episode.uuid)).toHaveLength(3);

    const episodes: Zep.Episode[] = [];
    let cursor: string | undefined;
    for (let pageCount = 0; pageCount < 10; pageCount++) {
      const { data, rawResponse } = await client.graph.episode
        .listByUserId(userId, { limit: 10, orderBy: 'created_at', direction: 'asc', ...(cursor ? { cursor } : {}) }, once)
        .withRawResponse();
      episodes.push(...data);
      cursor = rawResponse.headers.get('zep-next-cursor') ?? undefined;
      if (!cursor) break;
    }
    expect(episodes).toHaveLength(2 * 9 + 3);
    expect(episodes.slice(-3).map((episode) => episode.uuid)).toEqual(recent.episodes?.map((episode) => episode.uuid));
    const messageEpisodes = episodes.filter((episode) => episode.source === 'message');
    expect(messageEpisodes.map((episode) => episode.uuid).sort()).toEqual(
      firstThreads.flatMap((thread) => account.messages[thread.thread_id]!.map((message) => message.uuid)).sort(),
    );
    const first = account.messages[firstThreads[0]!.thread_id]![0]!;
    expect(messageEpisodes.find((episode) => episode.uuid === first.uuid)).toMatchObject({
      role: 'Jane Doe',
      roleType: 'user',
      threadId: firstThreads[0]!.thread_id,
      content: `Jane Doe: ${first.content}`,
      createdAt: first.created_at,
    });
    expect(episodes.filter((episode) => episode.source === 'text' || episode.source === 'json')).toHaveLength(3);
  });

  it('reads the user summary (user.getNode) and thread summaries; a thread without one is a NotFoundError', async () => {
    const client = v3Client(cloud);
    const { node } = await client.user.getNode(firstUser.user_id, once);
    expect(node).toMatchObject({
      uuid: account.userNodes[firstUser.user_id]!.uuid,
      name: 'Jane Doe',
      labels: ['Entity', 'User'],
      summary: account.userNodes[firstUser.user_id]!.summary,
      createdAt: account.userNodes[firstUser.user_id]!.created_at,
    });

    const summarized = firstThreads[0]!.thread_id;
    const wire = account.threadSummaries[summarized]!;
    expect(await client.thread.getSummary(summarized, once)).toEqual({
      uuid: wire.uuid,
      threadId: summarized,
      summary: wire.summary,
      createdAt: wire.created_at,
      lastSummarizedAt: wire.last_summarized_at,
      lastSummarizedEpisodeValidAt: wire.last_summarized_episode_valid_at,
    });

    const unsummarized = account.threads[2]!.thread_id; // every third thread has no summary
    expect(account.threadSummaries[unsummarized]).toBeUndefined();
    const error = await rejection(client.thread.getSummary(unsummarized, once));
    expect(error).toBeInstanceOf(Zep.NotFoundError);
    expect((error as ZepError).statusCode).toBe(404);
  });

  it('lists standalone graphs with graph.listAll and reads their facts', async () => {
    const client = v3Client(cloud);
    const first = await client.graph.listAll({ pageNumber: 1, pageSize: 2, orderBy: 'created_at', asc: true }, once);
    const second = await client.graph.listAll({ pageNumber: 2, pageSize: 2, orderBy: 'created_at', asc: true }, once);
    expect(first).toMatchObject({ totalCount: 3, rowCount: 2, pageNumber: 1, pageSize: 2 });
    expect([...(first.graphs ?? []), ...(second.graphs ?? [])].map((graph) => [graph.graphId, graph.name])).toEqual(
      account.graphs.map((graph) => [graph.graph_id, graph.name]),
    );
    const graphId = account.graphs[1]!.graph_id;
    const edges = await client.graph.edge.getByGraphId(graphId, {}, once);
    expect(edges.map((edge) => edge.fact).sort()).toEqual(account.edges[graphId]!.map((edge) => edge.fact).sort());
    const { episodes } = await client.graph.episode.getByGraphId(graphId, { lastn: 10 }, once);
    expect(episodes?.map((episode) => [episode.source, episode.content])).toEqual(account.episodes[graphId]!.map((episode) => ['text', episode.content]));
  });

  it('sends URL-encoded user ids and reads every role, metadata, empty content and unicode intact', async () => {
    const client = v3Client(tinyCloud, tiny);
    const user = await client.user.get(tinyEncodedUserId, once);
    expect(user.userId).toBe(tinyEncodedUserId);
    expect(tinyCloud.requests.some((request) => request.path === '/api/v2/users/a%2Fb%20c%40d')).toBe(true);
    expect((await client.user.getThreads(tinyEncodedUserId, once)).map((thread) => thread.threadId)).toEqual(['tiny-thread-1', 'tiny-thread-2']);
    expect(await client.user.getThreads('user-without-threads', once)).toEqual([]);

    const { messages } = await client.thread.get('tiny-thread-1', {}, once);
    expect(messages?.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'function', 'tool', 'norole', 'user']);
    expect(messages?.[1]?.metadata).toEqual({ channel: 'web', tags: ['move', 'job'], priority: 2 });
    expect(messages?.[6]?.content).toBe('');
    expect(messages?.map((message) => message.content).join(' ')).toMatch(/🎉.*東京出張.*مرحبا بالعالم/);
    expect(messages?.[5]?.name).toBeUndefined();

    const facts = await client.graph.edge.getByUserId('user-jane', {}, once);
    expect(facts.filter((edge) => edge.invalidAt !== undefined).map((edge) => edge.fact)).toEqual(['Jane Doe works at Acme.']);
    expect(facts.filter((edge) => edge.expiredAt !== undefined).map((edge) => edge.fact)).toEqual(['Jane Doe is employed by Acme as an analyst.']);
  });

  it('refuses a wrong key with 401, and an unknown user with NotFoundError', async () => {
    const wrong = await rejection(v3Client(cloud, account, 'z_wrong-key').user.listOrdered({ pageNumber: 1, pageSize: 5 }, once));
    expect(wrong).toBeInstanceOf(ZepError);
    expect((wrong as ZepError).statusCode).toBe(401);
    expect((wrong as ZepError).body).toEqual({ message: 'unauthorized' });

    const missing = await rejection(v3Client(cloud).user.get('no-such-user', once));
    expect(missing).toBeInstanceOf(Zep.NotFoundError);
  });
});

describe('@getzep/zep-cloud 2.22.0 against the fake Zep Cloud (v2 sessions)', () => {
  it('reads users, a user’s sessions and every session (orphans included)', async () => {
    const client = v2Client(sessionsOnly);
    const users = await client.user.listOrdered({ pageNumber: 1, pageSize: 10 }, once);
    expect(users.totalCount).toBe(7);
    expect(users.users?.map((user) => user.userId).sort()).toEqual(account.users.map((user) => user.user_id).sort());
    expect(users.users?.[0]).not.toHaveProperty('graphUuid');

    const sessions = await client.user.getSessions(firstUser.user_id, once);
    expect(sessions.map((session) => [session.sessionId, session.userId, session.id])).toEqual(
      firstThreads.map((thread) => [thread.thread_id, firstUser.user_id, thread.id]),
    );
    expect(sessions[0]?.metadata).toEqual(firstThreads[0]!.metadata);

    const all = await client.memory.listSessions({ pageNumber: 1, pageSize: 20, orderBy: 'created_at', asc: true }, once);
    expect(all.totalCount).toBe(16);
    expect(all.responseCount).toBe(16);
    expect(all.sessions?.slice(0, 2).map((session) => session.sessionId)).toEqual(['orphan-session-1', 'orphan-session-2']);
  });

  it('pages session messages with role = speaker and roleType = enum, and reads summaries', async () => {
    const client = v2Client(sessionsOnly);
    const sessionId = firstThreads[0]!.thread_id;
    const messages: ZepV2.Message[] = [];
    for (let cursor = 1; cursor < 10; cursor++) {
      const page = await client.memory.getSessionMessages(sessionId, { limit: 4, cursor }, once);
      expect(page.totalCount).toBe(9);
      messages.push(...(page.messages ?? []));
      if ((page.messages ?? []).length < 4) break;
    }
    expect(messages.map((message) => [message.uuid, message.roleType, message.role, message.content])).toEqual(
      account.messages[sessionId]!.map((message) => [message.uuid, message.role, message.name, message.content]),
    );
    expect(messages[0]).toMatchObject({ roleType: 'user', role: 'Jane Doe', tokenCount: 0, updatedAt: messages[0]?.createdAt });

    const { summaries } = await client.memory.getSummaries(sessionId, once);
    expect(summaries?.map((summary) => summary.content)).toEqual([account.threadSummaries[sessionId]!.summary]);
    expect((await client.memory.getSummaries(account.threads[2]!.thread_id, once)).summaries).toEqual([]);
  });

  it('pages facts with uuid_cursor (no header, no node names) and reads episodes and groups', async () => {
    const client = v2Client(sessionsOnly);
    const userId = firstUser.user_id;
    const edges: ZepV2.EntityEdge[] = [];
    let uuidCursor: string | undefined;
    for (let pageCount = 0; pageCount < 10; pageCount++) {
      const page = await client.graph.edge.getByUserId(userId, uuidCursor ? { limit: 5, uuidCursor } : { limit: 5 }, once);
      edges.push(...page);
      if (page.length < 5) break;
      uuidCursor = page.at(-1)!.uuid;
    }
    expect(edges.map((edge) => edge.uuid)).toEqual(account.edges[userId]!.map((edge) => edge.uuid).sort());
    expect(edges[0]).not.toHaveProperty('sourceNodeName');
    expect(sessionsOnly.requests.filter((request) => request.path === `/api/v2/graph/edge/user/${userId}`).map((request) => JSON.parse(request.body))).toEqual([
      { limit: 5 },
      { limit: 5, uuid_cursor: edges[4]!.uuid },
      { limit: 5, uuid_cursor: edges[9]!.uuid },
    ]);

    const { episodes } = await client.graph.episode.getByUserId(userId, { lastn: 25 }, once);
    const fromMessages = episodes?.filter((episode) => episode.source === 'message') ?? [];
    expect(fromMessages).toHaveLength(18);
    expect(fromMessages[0]).toMatchObject({ sessionId: firstThreads[0]!.thread_id, roleType: 'user', role: 'Jane Doe' });
    expect(fromMessages[0]).not.toHaveProperty('threadId');

    const { groups, totalCount } = await client.group.getAllGroups({ pageNumber: 1, pageSize: 10 }, once);
    expect(totalCount).toBe(3);
    const groupId = account.graphs[0]!.graph_id;
    expect(groups?.map((group) => group.groupId)).toContain(groupId);
    expect((await client.graph.edge.getByGroupId(groupId, {}, once)).map((edge) => edge.fact).sort()).toEqual(
      account.edges[groupId]!.map((edge) => edge.fact).sort(),
    );
  });

  it('a sessions-only server answers the v3 routes 404; with v2Only false both generations read the same data', async () => {
    // thread.listAll, graph.listAll and user.getThreads type only 400/500: a 404 comes back as a plain ZepError.
    const threadsError = await rejection(v3Client(sessionsOnly).thread.listAll({ pageNumber: 1, pageSize: 5 }, once));
    expect(threadsError).toBeInstanceOf(ZepError);
    expect((threadsError as ZepError).statusCode).toBe(404);
    expect((threadsError as ZepError).body).toEqual({ message: 'not found' });
    expect(((await rejection(v3Client(sessionsOnly).graph.listAll({}, once))) as ZepError).statusCode).toBe(404);
    expect(((await rejection(v3Client(sessionsOnly).user.getThreads(firstUser.user_id, once))) as ZepError).statusCode).toBe(404);
    expect(await v2Client(sessionsOnly).user.getSessions(firstUser.user_id, once)).toHaveLength(2); // the same path family, v2

    const threads = await v3Client(bothGenerations).thread.listAll({ pageNumber: 1, pageSize: 50 }, once);
    const sessions = await v2Client(bothGenerations).memory.listSessions({ pageNumber: 1, pageSize: 50 }, once);
    expect(threads.threads?.map((thread) => thread.threadId)).toEqual(sessions.sessions?.map((session) => session.sessionId));
    expect(threads.threads).toHaveLength(16);
  });

  it('refuses a wrong key with 401', async () => {
    const error = await rejection(v2Client(sessionsOnly, 'z_wrong-key').user.listOrdered({ pageNumber: 1, pageSize: 5 }, once));
    expect(error).toBeInstanceOf(ZepErrorV2);
    expect((error as ZepErrorV2).statusCode).toBe(401);
  });
});

describe('@getzep/zep-cloud 2.22.0 against the fake Community Edition', () => {
  it('gets every session although it asked for a page (CE reads only camelCase paging), and reads messages', async () => {
    const client = v2Client(community);
    const sessions = await client.memory.listSessions({ pageNumber: 1, pageSize: 5, orderBy: 'created_at', asc: true }, once);
    expect(sessions.sessions).toHaveLength(16);
    expect(community.requests.at(-1)?.path).toContain('page_number=1&page_size=5');

    const sessionId = firstThreads[1]!.thread_id;
    const page = await client.memory.getSessionMessages(sessionId, { limit: 5, cursor: 2 }, once);
    expect(page.messages?.map((message) => [message.uuid, message.roleType, message.role])).toEqual(
      account.messages[sessionId]!.slice(5, 10).map((message) => [message.uuid, message.role, message.name]),
    );
    expect(page.messages?.[0]).not.toHaveProperty('processed');

    const error = await rejection(client.user.getNode(firstUser.user_id, once));
    expect(error).toBeInstanceOf(ZepV2.NotFoundError);
  });
});
