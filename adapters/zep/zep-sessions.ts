// The older Zep APIs, which call threads "sessions": Zep Cloud v2 (SDK 1.x–2.x) and self-hosted Community
// Edition 1.x (zep-js 2.x), both under `/api/v2`. What changes from v3 (zep-cloud.ts):
// - paths: `/users/{id}/sessions`, `/sessions-ordered`, `/sessions/{id}/messages`; a session's id is `session_id`;
// - messages: `role_type` is the role enum and `role` the speaker's name (zep-records.ts reads both ways);
// - thread summaries: v2 lists each session's summaries (`GET /sessions/{id}/summary`, `{summaries: [{content}]}`);
// - episodes: v2 has only `GET /graph/episodes/user/{id}?lastn=N` (unpaged), and its standalone graphs are
//   "groups" (`/groups-ordered`, `/graph/{edge|episodes}/group/{id}`); facts page by `uuid_cursor` only.
// CE differs from Cloud v2 in having no graph API at all (Graphiti holds the graph), hence no facts, episodes,
// groups, user summaries or session summaries; and its `/sessions-ordered` reads `pageNumber`/`pageSize` where the
// SDK sends `page_number`/`page_size` (both are sent), ordering by `id DESC` whatever is asked.
import { SourceError } from '../../src/errors.js';
import type { SourceItem } from '../../src/records.js';
import { ZepCloud, type ZepHttpSourceOptions, type ZepWirePaths } from './zep-cloud.js';
import { isObject, threadSummaryEnvelope, zepTenantKey, type ZepOwner } from './zep-records.js';


export const zepSessionsPaths: ZepWirePaths = {
  userThreads: (userId) => `/users/${encodeURIComponent(userId)}/sessions`,
  allThreads: '/sessions-ordered',
  messages: (sessionId) => `/sessions/${encodeURIComponent(sessionId)}/messages`,
  userNode: (userId) => `/users/${encodeURIComponent(userId)}/node`,
  graphSegment: 'group',
  graphs: '/groups-ordered',
};

export const zepCommunityPaths: ZepWirePaths = {
  ...zepSessionsPaths,
  userNode: null,
  graphSegment: null,
  graphs: null,
};

export class ZepSessions extends ZepCloud {
  protected override readonly summariesPerUser = false;

  constructor(options: ZepHttpSourceOptions, api: 'v2' | 'ce') {
    super(options, api, api === 'ce' ? zepCommunityPaths : zepSessionsPaths);
  }

  /** v2: every summary of the session (`GET /sessions/{id}/summary`, deprecated; 404 when none). CE has none. */
  protected override async *threadSummary(owner: ZepOwner, sessionId: string): AsyncGenerator<SourceItem> {
    if (this.api === 'ce') return;
    const tenantKey = zepTenantKey({ ...owner, thread_id: sessionId }) ?? `thread:${sessionId}`;
    const answer = await this.http.exchange({ method: 'GET', path: `/sessions/${encodeURIComponent(sessionId)}/summary`, notFoundIsAnswer: true, context: { tenant: tenantKey } });
    if (answer.status === 404 || answer.body === null) return;
    const summaries = isObject(answer.body) ? answer.body['summaries'] : undefined;
    if (summaries === null || summaries === undefined) return;
    if (!Array.isArray(summaries)) throw new SourceError(`zep: the summaries of session ${sessionId} are not a list`, { source: 'zep', tenant: tenantKey });
    for (const summary of summaries) {
      const item = this.item(threadSummaryEnvelope(this.api, owner, sessionId, summary));
      if (item) yield item;
    }
  }

  /** v2 has no paged episode listing: the `lastn` one, at its limit (see `lastEpisodes`). */
  protected override dataEpisodes(owner: ZepOwner, segment: string, id: string, tenantKey: string): AsyncGenerator<SourceItem> {
    return this.lastEpisodes(owner, segment, id, tenantKey);
  }
}
