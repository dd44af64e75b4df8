/**
 * Crash safety (issue 6, "Faults"): a real `scimd serve` under a write load of
 * concurrent IdP-like writers (user creates, PATCHes, group member adds,
 * deletes) is killed with SIGKILL at a random moment, restarted on the same
 * data folder or database, and checked:
 * - every acknowledged write (a 2xx answer was received) is there exactly as
 *   acknowledged; each writer owns its own users and group and writes them in
 *   sequence, so its last acknowledged write to a resource is the one that must win;
 * - the one request per writer that was in flight at the kill left its resource
 *   either as before or as fully applied, nothing in between;
 * - no partial write: a user whose create was never acknowledged either exists
 *   with every attribute sent, or not at all; every user row has the activity
 *   row its create wrote in the same transaction; group membership read through
 *   SCIM equals the member rows; the trigger-kept resource counts (migration
 *   0006) equal count(*).
 * The model carries over between cycles, so each restart re-proves every earlier cycle's writes too.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connect.js';
import { LOCK_FILE } from '../../src/db/data-dir-lock.js';
import { dialects } from '../support/db.js';
import { call, ensureBuilt, freshPostgresUrl, newOrg, sleep, startScimd, stopScimd, type Scimd } from './support.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const WRITERS = 8;
const CYCLES = { pglite: 5, postgres: 10 } as const;

/** What a user must look like, as the writer last had it acknowledged. */
interface UserState {
  userName: string;
  displayName: string;
  givenName: string;
  externalId: string;
  active: boolean;
}

/** A request that was sent but whose answer never came (the kill hit it). */
type InFlight =
  | { kind: 'create'; body: UserState }
  | { kind: 'patch'; id: string; next: Pick<UserState, 'displayName' | 'active'> }
  | { kind: 'add'; groupId: string; userId: string }
  | { kind: 'delete'; id: string; groupId: string };

interface Writer {
  groupId: string;
  users: Map<string, UserState>;
  members: Set<string>;
  deleted: Set<string>;
  inFlight: InFlight | undefined;
}

const userBody = (u: UserState) => ({
  schemas: [USER],
  userName: u.userName,
  externalId: u.externalId,
  displayName: u.displayName,
  name: { givenName: u.givenName, familyName: 'Crash' },
  emails: [{ value: u.userName, type: 'work', primary: true }],
  active: u.active,
});

/** The stored user as a UserState (or undefined on 404). */
function stateOf(body: any): UserState {
  return { userName: body.userName, displayName: body.displayName, givenName: body.name?.givenName, externalId: body.externalId, active: body.active };
}

describe.each(dialects())('crash safety on %s: SIGKILL mid-load, restart, every acknowledged write present, none partial', (dialect) => {
  let target: Record<string, string>;
  let dataDir: string | undefined;
  let dbTarget: { url: string } | { dataDir: string };
  const totals = { cycles: 0, acknowledged: 0, verifiedUsers: 0, verifiedGroups: 0, inFlightAtKill: 0, lost: 0 };

  beforeAll(async () => {
    ensureBuilt();
    if (dialect === 'pglite') {
      dataDir = mkdtempSync(join(tmpdir(), 'scimd-crash-'));
      target = { SCIMD_DATA_DIR: dataDir };
      dbTarget = { dataDir };
    } else {
      const { url } = await freshPostgresUrl('crash');
      target = { DATABASE_URL: url, SCIMD_DATA_DIR: mkdtempSync(join(tmpdir(), 'scimd-crash-pg-')) };
      dbTarget = { url };
    }
  });
  afterAll(() => {
    console.log(`crash safety on ${dialect}: ${JSON.stringify(totals)}`);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it(`survives ${CYCLES[dialect]} SIGKILLs mid-load with every acknowledged write intact`, { timeout: 900_000 }, async () => {
    let server: Scimd = await startScimd(target);
    const org = await newOrg(server.origin, `crash-${Date.now().toString(36)}`);
    const writers: Writer[] = [];
    let n = 0;

    for (let cycle = 0; cycle < CYCLES[dialect]; cycle++) {
      // Each cycle's writers start from an acknowledged group of their own.
      for (let w = 0; w < WRITERS; w++) {
        const g = await call(server.origin, 'POST', '/scim/v2/Groups', { token: org.token, body: { schemas: [GROUP], displayName: `crash c${cycle} w${w}` } });
        expect(g.status).toBe(201);
        writers.push({ groupId: g.body.id, users: new Map(), members: new Set(), deleted: new Set(), inFlight: undefined });
      }
      const active = writers.slice(-WRITERS);
      let killed = false;
      const origin = server.origin;
      const scim = (method: string, path: string, body?: unknown) => call(origin, method, `/scim/v2${path}`, { token: org.token, body });

      const run = async (wr: Writer) => {
        while (!killed) {
          const live = [...wr.users.keys()].filter((id) => !wr.deleted.has(id));
          const pick = <T,>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
          const r = Math.random();
          try {
            if (r < 0.4 || live.length < 2) {
              const k = n++;
              const u: UserState = { userName: `crash-${cycle}-${k}@example.test`, displayName: `Created ${k}`, givenName: `G${k}`, externalId: `ext-${cycle}-${k}`, active: true };
              wr.inFlight = { kind: 'create', body: u };
              const res = await scim('POST', '/Users', userBody(u));
              if (res.status !== 201) throw new Error(`create answered ${res.status}: ${JSON.stringify(res.body)}`);
              wr.users.set(res.body.id, u);
            } else if (r < 0.65) {
              const id = pick(live);
              const next = { displayName: `Patched ${n++}`, active: Math.random() < 0.5 };
              wr.inFlight = { kind: 'patch', id, next };
              const res = await scim('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: next }] });
              if (res.status !== 200) throw new Error(`patch answered ${res.status}: ${JSON.stringify(res.body)}`);
              wr.users.set(id, { ...wr.users.get(id)!, ...next });
            } else if (r < 0.85) {
              const candidates = live.filter((id) => !wr.members.has(id));
              if (!candidates.length) continue;
              const userId = pick(candidates);
              wr.inFlight = { kind: 'add', groupId: wr.groupId, userId };
              const res = await scim('PATCH', `/Groups/${wr.groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: userId }] }] });
              if (res.status !== 204 && res.status !== 200) throw new Error(`member add answered ${res.status}: ${JSON.stringify(res.body)}`);
              wr.members.add(userId);
            } else {
              const id = pick(live);
              wr.inFlight = { kind: 'delete', id, groupId: wr.groupId };
              const res = await scim('DELETE', `/Users/${id}`);
              if (res.status !== 204) throw new Error(`delete answered ${res.status}: ${JSON.stringify(res.body)}`);
              wr.deleted.add(id);
              wr.members.delete(id);
            }
            wr.inFlight = undefined;
            totals.acknowledged++;
          } catch (err) {
            // A request the kill cut off stays in flight: it may or may not have committed.
            if (killed) return;
            throw err;
          }
        }
      };
      const load = Promise.all(active.map(run));
      // Kill at a varied moment: early (first transactions) to late (a busy table).
      await sleep(300 + Math.random() * 2200);
      killed = true;
      server.proc.kill('SIGKILL');
      expect(await server.exited).toBe('SIGKILL');
      await load;
      totals.inFlightAtKill += active.filter((w) => w.inFlight).length;

      if (dataDir) {
        // The killed process's lock is left behind; the restart must see its pid is gone and take it over.
        expect(existsSync(join(dataDir, LOCK_FILE))).toBe(true);
        expect(readFileSync(join(dataDir, LOCK_FILE), 'utf8')).toBe(String(server.proc.pid));
      }
      server = await startScimd(target);
      await verify(server.origin, org.token, writers);
      // SQL invariants need the database to themselves on PGlite (one owner process): stop cleanly first.
      expect(await stopScimd(server)).toBe(0);
      await verifyRows(dbTarget, org.id, writers);
      totals.cycles++;
      if (cycle < CYCLES[dialect] - 1) server = await startScimd(target);
    }
    expect(totals.lost).toBe(0);
  });

  /** Reads every resource through SCIM and compares it with what was acknowledged. */
  async function verify(origin: string, token: string, writers: Writer[]) {
    const get = (path: string) => call(origin, 'GET', `/scim/v2${path}`, { token });
    for (const wr of writers) {
      const f = wr.inFlight;
      for (const [id, want] of wr.users) {
        const res = await get(`/Users/${id}`);
        const uncertain = f && (f.kind === 'patch' || f.kind === 'delete') && f.id === id;
        if (wr.deleted.has(id)) {
          expect(res.status, `acknowledged delete of ${id}`).toBe(404);
          continue;
        }
        if (uncertain && f.kind === 'delete' && res.status === 404) {
          wr.deleted.add(id); // the delete committed; its answer was lost
          wr.members.delete(id);
          continue;
        }
        if (res.status !== 200) totals.lost++;
        expect(res.status, `acknowledged user ${id}`).toBe(200);
        const got = stateOf(res.body);
        if (uncertain && f.kind === 'patch' && got.displayName === f.next.displayName) {
          expect(got).toEqual({ ...want, ...f.next }); // applied whole…
          wr.users.set(id, got);
        } else {
          expect(got).toEqual(want); // …or not at all
        }
        // The full document: nothing of the create went missing.
        expect(res.body.emails).toEqual([{ value: want.userName, type: 'work', primary: true }]);
        expect(res.body.name).toEqual({ givenName: want.givenName, familyName: 'Crash' });
        totals.verifiedUsers++;
      }
      const g = await get(`/Groups/${wr.groupId}`);
      expect(g.status).toBe(200);
      const members = new Set<string>((g.body.members ?? []).map((m: { value: string }) => m.value));
      if (f?.kind === 'add' && members.has(f.userId) && !wr.members.has(f.userId)) wr.members.add(f.userId);
      if (f?.kind === 'delete' && wr.deleted.has(f.id)) wr.members.delete(f.id);
      if ([...wr.members].some((id) => !members.has(id))) totals.lost++;
      expect([...members].sort()).toEqual([...wr.members].sort());
      totals.verifiedGroups++;
      // An unacknowledged create: all of it, or none of it.
      if (f?.kind === 'create') {
        const res = await get(`/Users?filter=${encodeURIComponent(`userName eq "${f.body.userName}"`)}`);
        expect(res.status).toBe(200);
        expect(res.body.totalResults).toBeLessThanOrEqual(1);
        if (res.body.totalResults === 1) {
          const u = res.body.Resources[0];
          expect(stateOf(u)).toEqual(f.body);
          expect(u.emails).toEqual([{ value: f.body.userName, type: 'work', primary: true }]);
          wr.users.set(u.id, f.body);
        }
      }
      wr.inFlight = undefined;
    }
  }

  /** Row-level invariants, read straight from the database. */
  async function verifyRows(target: { url: string } | { dataDir: string }, orgId: string, writers: Writer[]) {
    const handle = await openDatabase(target);
    try {
      const { db } = handle;
      const users = await db.selectFrom('scim_users').select(['id', 'user_name', 'display_name', 'active']).where('org_id', '=', orgId).execute();
      const live = writers.flatMap((w) => [...w.users.keys()].filter((id) => !w.deleted.has(id)));
      expect(users.map((u) => u.id).sort()).toEqual(live.sort());
      // Each user row has the activity row its create wrote in the same transaction.
      const created = await db.selectFrom('activity').select('target_id').where('org_id', '=', orgId).where('operation', '=', 'create').where('target_type', '=', 'User').where('status', '=', 201).execute();
      const createdIds = new Set(created.map((a) => a.target_id));
      for (const u of users) expect(createdIds.has(u.id), `activity row of ${u.user_name}`).toBe(true);
      // Member rows equal the acknowledged membership (groups read through SCIM were checked against the same model).
      const rows = await db.selectFrom('scim_group_members').select(['group_id', 'user_id']).where('org_id', '=', orgId).execute();
      const want = writers.flatMap((w) => [...w.members].map((u) => `${w.groupId}/${u}`)).sort();
      expect(rows.map((r) => `${r.group_id}/${r.user_id}`).sort()).toEqual(want);
      // The trigger-kept counts agree with the tables.
      const counts = await sql<{ resource_type: string; n: string }>`select resource_type, sum(n)::text as n from scim_resource_counts where org_id = ${orgId} group by resource_type`.execute(db);
      const byType = Object.fromEntries(counts.rows.map((r) => [r.resource_type, Number(r.n)]));
      const groups = await db.selectFrom('scim_groups').select(db.fn.countAll<string>().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow();
      expect(byType).toEqual({ User: users.length, Group: Number(groups.n) });
    } finally {
      await handle.close();
    }
  }
});
