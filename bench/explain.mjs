#!/usr/bin/env node
/**
 * Query plans of scimd's hot statements (`EXPLAIN (ANALYZE, BUFFERS)`), on a
 * seeded fixture database, for docs/benchmarks.md.
 *
 * It runs the built use cases (dist/provisioning/*.js) against the database
 * through a Kysely whose log captures every statement they send, exactly as
 * scimd sends it, then explains each captured statement with its parameters.
 * Statements that write are explained inside a transaction that is rolled back,
 * and the membership change it makes itself is undone, so the fixture stays as
 * it was.
 *
 * Usage: node bench/explain.mjs --database-url URL [--fixture big-1000000]
 *   (the fixture as recorded by `npm run bench -- --fixture big`; PostgreSQL only)
 */
import { parseArgs } from 'node:util';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { 'database-url': { type: 'string' }, fixture: { type: 'string', default: 'big-1000000' } } });
const url = values['database-url'] ?? process.env.DATABASE_URL;
if (!url) throw new Error('--database-url URL is required');
const dist = (p) => import(pathToFileURL(join(repoRoot, 'dist', p)).href);
const users = await dist('provisioning/users.js');
const groups = await dist('provisioning/groups.js');

const pool = new pg.Pool({ connectionString: url, max: 2, options: '-c jit=off' });
let captured = [];
const db = new Kysely({ dialect: new PostgresDialect({ pool }), log: (e) => e.level === 'query' && captured.push(e.query) });

const fixture = (await pool.query('select detail from bench_fixtures where name = $1', [values.fixture])).rows[0];
if (!fixture) throw new Error(`no fixture ${values.fixture} in this database (bench_fixtures)`);
const org = fixture.detail.orgs[0];
const ctx = { db, orgId: org.orgId, baseUrl: 'https://scim.example/scim/v2', maxPageSize: 1000 };
const count = Number((await pool.query('select count(*) from scim_users where org_id = $1', [org.orgId])).rows[0].count);
const pick = async (offset) => (await pool.query('select id, user_name from scim_users where org_id = $1 order by seq offset $2 limit 1', [org.orgId, offset])).rows[0];
const someone = await pick(Math.floor(count * 0.73));
const big = org.groups[0];
const outsiders = (await pool.query(
  `select u.id from scim_users u where u.org_id = $1 and not exists (select 1 from scim_group_members m where m.group_id = $2 and m.user_id = u.id) order by u.seq desc limit 100`,
  [org.orgId, big.id],
)).rows.map((r) => r.id);

/** Runs `work`, returning the statements it sent. */
async function capture(work) {
  captured = [];
  await work();
  return captured.filter((q) => !/^(begin|commit|rollback)/i.test(q.sql.trim()));
}

async function explain(title, request, statements) {
  console.log(`\n### ${title}\n\n\`${request}\`\n`);
  for (const q of statements) {
    const client = await pool.connect();
    try {
      await client.query('begin');
      const plan = await client.query(`explain (analyze, buffers, costs off) ${q.sql}`, q.parameters);
      await client.query('rollback');
      console.log('```sql');
      console.log(q.sql.replace(/\s+/g, ' ').trim());
      console.log('```');
      console.log('```');
      console.log(plan.rows.map((r) => r['QUERY PLAN']).join('\n'));
      console.log('```\n');
    } finally {
      client.release();
    }
  }
}

console.log(`Fixture ${values.fixture}: org ${org.slug}, ${count.toLocaleString('en')} users, big group ${big.displayName} (${(big.hi - big.lo).toLocaleString('en')} members). jit off, as scimd sets it.`);
await explain('Scenario 1: lookup', `GET /Users?filter=userName eq "${someone.user_name}"`, await capture(() => users.listUsers(ctx, { filter: `userName eq "${someone.user_name}"` })));
await explain('Scenario 2: get by id', `GET /Users/${someone.id}`, await capture(() => users.getUser(ctx, someone.id)));
await explain('Scenario 7: first page', 'GET /Users?startIndex=1&count=100', await capture(() => users.listUsers(ctx, { startIndex: '1', count: '100' })));
await explain('Scenario 7: deep page', 'GET /Users?startIndex=100001&count=100', await capture(() => users.listUsers(ctx, { startIndex: '100001', count: '100' })));
await explain('Scenario 6: group lookup', `GET /Groups?excludedAttributes=members&filter=displayName eq "${big.displayName}"`, await capture(() => groups.listGroups(ctx, { filter: `displayName eq "${big.displayName}"`, excludedAttributes: 'members' })));
await explain(
  `Issue 5: reading the ${(big.hi - big.lo).toLocaleString('en')}-member group (its first two chunks of 1,000 members; the rest repeat the second)`,
  `GET /Groups/${big.id}`,
  await capture(async () => {
    const r = await groups.getGroup(ctx, big.id);
    const body = r.body[Symbol.asyncIterator]();
    for (let i = 0; i < 3; i++) await body.next(); // opening, first chunk, second chunk (reads the third)
    await body.return?.();
  }),
);
const add = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Add', path: 'members', value: outsiders.map((value) => ({ value })) }] };
const addStatements = await capture(() => groups.patchGroup(ctx, big.id, add));
// Undo the add before explaining it, so the explained INSERT finds the same state the measured one did.
await groups.patchGroup(ctx, big.id, { ...add, Operations: [{ op: 'Remove', path: 'members', value: add.Operations[0].value }] });
await explain(`Scenario 5: add 100 members to the ${(big.hi - big.lo).toLocaleString('en')}-member group`, `PATCH /Groups/${big.id} {"op":"Add","path":"members","value":[100 × {"value":…}]}`, addStatements);
await db.destroy();
