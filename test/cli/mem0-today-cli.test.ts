// Issue 18 end to end, through the CLI on both databases: Mem0 as it is today loses nothing without a word — a
// memory that expires between two runs survives --prune, one deleted at the source is removed; a self-hosted
// user whose listing hits the 1,000 cap is reported and never pruned from.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ownedMem0Memories, type Mem0Account } from '../fakes/mem0/mem0-account.js';
import type { ServedHandlers } from '../fakes/serve-handlers.js';
import { cleanEnv, runCliProcess } from '../support/cli.js';
import { fixturePath } from '../support/fixtures.js';
import { killTargets } from '../support/kill-targets.js';
import { startMem0Fake, startMem0SelfHostedFake } from '../support/mem0-fake.js';
import { tempDir } from '../support/temp.js';

const servers: ServedHandlers[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

const apiKey = 'm0-secret-key-for-tests-only';
const at = '2026-01-01T00:00:00Z';

interface TenantJson {
  tenant: string;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  skippedReasons: { sourceId: string | null; reason: string; kind: string }[];
  flagged: Record<string, number>;
  skippedKinds?: Record<string, number>;
}

const tenant = (report: { tenants: TenantJson[] }, name: string): TenantJson | undefined => report.tenants.find((t) => t.tenant === name);

describe('om-import mem0, offline', () => {
  it("imports the backup zip of Mem0's OpenMemory app under its user, the deleted row skipped with the reason", async () => {
    const result = await runCliProcess(['mem0', '--from-file', fixturePath('mem0', 'memories_export_alice.zip'), '--json'], { cwd: tempDir() });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.tenants).toEqual([
      expect.objectContaining({ tenant: 'alice', userId: 'alice', created: 3, skipped: 1, skippedReasons: [{ sourceId: '6f1c2a34-0000-4000-8000-000000000104', reason: 'deleted in Mem0\'s OpenMemory app (state "deleted")', kind: 'deleted' }] }),
    ]);
  });

  it('names memories, superseded and expired; without memories, or with another name, it is a usage error (exit 2) before anything is read', async () => {
    const cwd = tempDir();
    for (const [include, message] of [
      ['expired', /--include expired: name memories too/],
      ['memories,merged', /--include <list>' argument 'memories,merged' is invalid\. expected a comma-separated list of memories, superseded, expired/],
    ] as const) {
      const result = await runCliProcess(['mem0', '--from-file', 'nowhere.json', '--include', include], { cwd });
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
  });
});

describe.each(killTargets)('om-import mem0 as Mem0 is today (%s)', (_name, backend) => {
  it('Platform: run-only memories imported; a memory that expires between two runs stays after --prune, one deleted is removed; --include expired brings expired ones in', async () => {
    const account: Mem0Account = {
      apiKey,
      orgId: 'org_1',
      projectId: 'proj_1',
      memories: [
        { id: 'a1', memory: 'Likes tea', user_id: 'alice', created_at: at, updated_at: at },
        { id: 'a2', memory: 'Has a trial subscription', user_id: 'alice', expiration_date: '2099-12-31', created_at: at, updated_at: at },
        { id: 'a3', memory: 'Lives in Berlin', user_id: 'alice', created_at: at, updated_at: at },
        { id: 'a4', memory: 'Lives in Paris', user_id: 'alice', replaced_by: 'a3', created_at: at, updated_at: at },
        { id: 'r1', memory: 'Asked for a refund of order 42', run_id: 'checkout-7', created_at: at, updated_at: at },
      ],
    };
    const served = await startMem0Fake(account);
    servers.push(served);
    const cwd = tempDir();
    const flags = await backend.flags(cwd);
    const env = cleanEnv({ MEM0_API_KEY: apiKey });
    const run = async (...args: string[]) => {
      const result = await runCliProcess(['mem0', '--base-url', served.url, ...flags, ...args], { cwd, env });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      return result;
    };

    const first = JSON.parse((await run('--json')).stdout);
    expect(first.totals).toMatchObject({ created: 5, skipped: 0 });
    expect(tenant(first, 'run:checkout-7')).toMatchObject({ created: 1 });
    expect(tenant(first, 'alice')).toMatchObject({ created: 4, flagged: { superseded: 1 } });

    // Between the runs a2 expires, and a1 is deleted at Mem0.
    (account.memories[1] as Record<string, unknown>)['expiration_date'] = '2020-01-01';
    account.memories.splice(0, 1);
    const second = JSON.parse((await run('--fresh', '--prune', '--json')).stdout);
    expect(second.goneAtSource).toMatchObject({ memories: 1, removed: true, byUser: { alice: 1 }, usersRemoved: [] });
    expect(tenant(second, 'alice')).toMatchObject({
      unchanged: 2,
      skipped: 1,
      skippedKinds: { expired: 1 },
      skippedReasons: [{ sourceId: 'a2', reason: 'expired after 2020-01-01 (expiration_date); --include expired imports it', kind: 'expired' }],
    });
    expect(await backend.memories(flags, cwd)).toBe(4); // a2 (expired) is still there; a1 (deleted) is not

    const text = (await run('--fresh', '--prune')).stdout;
    // Lines longer than 80 columns wrap: compared with their spaces and breaks as one space.
    const joined = text.replace(/\s+/g, ' ');
    expect(joined).toContain(' expired: 1 of 1 user — past their expiration date, left out (--include expired imports them) ');
    expect(joined).toContain(' e.g. alice/a2: expired after 2020-01-01 (expiration_date); --include expired imports it');
    expect(text).toMatch(/flagged alice: 1 records the source marks as replaced by a newer one/);
    expect(text).not.toMatch(/gone at source|pruned/);

    const withExpired = JSON.parse((await run('--include', 'memories,superseded,expired', '--prune', '--json')).stdout);
    expect(withExpired.fullFetchReason).toMatch(/different scope \(include\)/);
    expect(tenant(withExpired, 'alice')).toMatchObject({ updated: 1, unchanged: 2, skipped: 0, flagged: { expired: 1, superseded: 1 } });
    expect(await backend.memories(flags, cwd)).toBe(4);

    const withoutSuperseded = JSON.parse((await run('--include', 'memories', '--prune', '--json')).stdout);
    expect(tenant(withoutSuperseded, 'alice')?.skippedReasons.map((note) => note.sourceId).sort()).toEqual(['a2', 'a4']);
    expect(tenant(withoutSuperseded, 'alice')?.skippedKinds).toEqual({ expired: 1, superseded: 1 });
    expect(withoutSuperseded.goneAtSource.memories).toBe(0); // left out is not gone: what an earlier run imported stays
    expect(await backend.memories(flags, cwd)).toBe(4);
  });

  it('self-hosted: X-API-Key, every user from GET /entities, a user at the 1,000 cap warned about and never pruned from; a deleted memory of a whole user removed; the rest from a vector-store dump, onto the same memories', async () => {
    const account: Mem0Account = {
      apiKey,
      orgId: '-',
      projectId: '-',
      memories: [...ownedMem0Memories({ user_id: 'alice' }, 25, 1), ...ownedMem0Memories({ user_id: 'bulk' }, 1200, 10_000)],
    };
    const served = await startMem0SelfHostedFake(account, { apiKeys: [apiKey] });
    servers.push(served);
    const cwd = tempDir();
    const flags = await backend.flags(cwd);
    const env = cleanEnv({ MEM0_API_KEY: apiKey });
    const run = async (...args: string[]) => {
      const result = await runCliProcess(['mem0', '--self-hosted', '--base-url', served.url, '--quiet', ...flags, ...args], { cwd, env });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      return result;
    };

    const first = JSON.parse((await run('--json')).stdout);
    expect(first.tenants.map((t: TenantJson) => [t.tenant, t.created])).toEqual([['alice', 25], ['bulk', 1000]]);
    expect(first.warnings).toEqual([expect.stringMatching(/^bulk: listed 1000 memories, the most GET \/memories returns \(top_k 1000\): the listing is incomplete; /)]);
    expect(served.requests.every((request) => request.headers['x-api-key'] === apiKey && request.headers['authorization'] === undefined)).toBe(true);

    // One of alice's memories and five of bulk's (among those imported) are deleted at the server.
    account.memories.splice(0, 1);
    account.memories.splice(24, 5);
    const second = await run('--fresh', '--prune');
    expect(second.stdout).toMatch(/^pruned 1 memories of 1 users whose records are gone at the source$/m);
    expect(second.stdout).toMatch(/^warning: bulk: listed 1000 memories, the most GET \/memories returns/m);
    expect(second.stdout).not.toContain(apiKey);
    // alice lost one; bulk keeps all 1,000 imported (5 are gone at the server, but a capped listing cannot tell
    // which) and gains the 5 its shifted listing now shows
    expect(await backend.memories(flags, cwd)).toBe(24 + 1000 + 5);

    // The rest, as the README says: a dump of the server's vector store ({id, payload} rows), onto the same memories.
    const dump = path.join(cwd, 'mem0-store.jsonl');
    writeFileSync(dump, account.memories.map((stored) => {
      const { id, memory, metadata: _metadata, ...fields } = stored as Record<string, unknown>;
      const payload = Object.fromEntries(Object.entries({ data: memory, ...fields, text_lemmatized: 'x' }).filter(([, value]) => value !== null));
      return `${JSON.stringify({ id, payload })}\n`;
    }).join(''));
    const rest = JSON.parse((await runCliProcess(['mem0', '--from-file', dump, '--quiet', '--json', ...flags], { cwd })).stdout);
    expect(rest.tenants.map((t: TenantJson) => [t.tenant, t.created, t.updated, t.unchanged])).toEqual([['alice', 0, 0, 24], ['bulk', 195, 0, 1000]]);
    expect(await backend.memories(flags, cwd)).toBe(24 + 1005 + 195);
  });
});
