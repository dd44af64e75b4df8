/**
 * Scale fixtures for `npm run bench -- --fixture big|orgs` (PostgreSQL only).
 *
 *   big   one org, `users` users (default 1,000,000), 200 groups: group 0 has
 *         users [0, 100,000), group 1 has users [100,000, 101,000), the rest none.
 *   orgs  `orgs` orgs (default 1,000) × `users` users (default 1,000), each org
 *         with SCIM enabled, group sync on and its own SCIM token, and 5 groups
 *         of 200 members (group k has users [200k, 200k + 200)).
 *
 * What goes through scimd's APIs and what is bulk SQL:
 *   - orgs, SCIM settings and tokens: the admin API (POST /orgs, PATCH …/scim,
 *     POST …/scim/tokens), like `provisionOrg`;
 *   - groups and user 0 of every org (the "template"): the SCIM API
 *     (POST /Groups, POST /Users with `userBody`);
 *   - users 1 … N−1: `INSERT … SELECT … FROM generate_series` building the same
 *     columns and JSONB document the SCIM API stores for `userBody(name, i, ext)`
 *     (src/provisioning/users.ts createUser/extract), with the app role copied
 *     from the template row (what role resolution gave that org);
 *   - memberships: `INSERT … SELECT` into scim_group_members, and what a PATCH
 *     that added them would also have done (src/provisioning/groups.ts): the
 *     member users' and the group's `version` + 1 and `updated_at` = now.
 * Triggers fire as for any insert (never disabled). No activity rows are
 * written for the SQL-seeded rows (the API would have written one per create;
 * a steady-state tenant has them pruned after its retention period).
 * After seeding: VACUUM ANALYZE of the touched tables (this PostgreSQL runs
 * without autovacuum; a production one would have done it by itself).
 *
 * Before the fixture is recorded as usable it is verified: the SQL expression
 * evaluated for the template's index equals the row the API stored (every
 * column), `GET /Users/{id}` and the `userName eq` lookup of random SQL-seeded
 * users return documents of the template's shape with the values `userBody`
 * would have sent, group sizes seen through SCIM (`groups.value eq` filter)
 * and `totalResults` of unfiltered lists equal what was seeded.
 *
 * Reuse: a finished fixture is recorded in the table `bench_fixtures` (created
 * by the harness in the database's current schema, not a scimd table) under its
 * name, e.g. `big-1000000` or `orgs-1000x1000`, with its orgs' SCIM tokens in
 * plain text (a benchmark database only). A later run finds the row and skips
 * seeding. Orgs of a fixture without a row (an interrupted seed) are deleted by
 * SQL and seeded again; `--reseed` does the same for a recorded fixture.
 * `heal` undoes what an earlier (interrupted) run left: users named `bench-…`
 * are deleted, deactivated users reactivated and extra group members removed,
 * all through the SCIM API (the SQL only finds them); `vacuum` then does what
 * autovacuum would have done since.
 */
import pg from 'pg';
import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, HttpError, memberPatch, PATCH_OP, pool, scimClient, USER_SCHEMA, userBody } from './scim-client.mjs';

/** Fixture kinds and their defaults. */
/**
 * VACUUM ANALYZE of the SCIM tables, what autovacuum would have done after a
 * seed or a run's writes (this machine's PostgreSQL runs without it; a
 * production one would not).
 * @param {pg.Pool | pg.Client} db
 * @returns seconds taken
 */
export async function vacuumAnalyze(db) {
  const t = performance.now();
  for (const table of ['scim_users', 'scim_groups', 'scim_group_members', 'scim_resource_counts']) await db.query(`vacuum analyze ${table}`);
  return (performance.now() - t) / 1000;
}

export const FIXTURES = {
  big: { users: 1_000_000, groups: 200, bigGroup: 100_000, smallGroup: 1_000 },
  orgs: { orgs: 1_000, users: 1_000, groups: 5, groupSize: 200 },
};

/** Users inserted per SQL statement (one transaction each, so progress shows and a failure loses one batch). */
const BATCH = 100_000;

const sqlString = (s) => `'${s.replace(/'/g, "''")}'`;

/**
 * The fixture's names: slugs, userNames, externalIds, group names. The same
 * functions exist as SQL text (`…Sql`) over an index column `i` and org number `n`.
 * @param {'big'|'orgs'} kind
 * @param {{ users?: number, orgs?: number }} sizes overrides of the defaults (smaller fixtures for trying the harness)
 */
export function fixtureSpec(kind, sizes = {}) {
  if (!FIXTURES[kind]) throw new Error(`--fixture must be one of ${Object.keys(FIXTURES).join(', ')}, got "${kind}"`);
  const d = FIXTURES[kind];
  if (kind === 'big') {
    const users = sizes.users ?? d.users;
    const bigGroup = Math.min(d.bigGroup, Math.floor(users / 10));
    const smallGroup = Math.min(d.smallGroup, Math.floor(users / 100));
    if (users < 1000) throw new Error('--fixture big needs --users ≥ 1000');
    const name = `big-${users}`;
    return {
      kind,
      name,
      orgCount: 1,
      usersPerOrg: users,
      slug: () => `fx-${name}`,
      userName: (_n, i) => `fx-${i}@big.bench.example.com`,
      externalId: (_n, i) => `fx-ext-${i}`,
      userNameSql: `'fx-' || i || '@big.bench.example.com'`,
      externalIdSql: `'fx-ext-' || i`,
      userNamePattern: '^fx-([0-9]+)@big\\.bench\\.example\\.com$',
      /** Groups of org n: displayName and member index range [lo, hi). */
      groups: () =>
        Array.from({ length: d.groups }, (_, k) => ({
          displayName: `fx-${name}-group-${k}`,
          externalId: `fx-${name}-gext-${k}`,
          lo: k === 0 ? 0 : k === 1 ? bigGroup : 0,
          hi: k === 0 ? bigGroup : k === 1 ? bigGroup + smallGroup : 0,
        })),
      describe: `1 org × ${users} users, group 0 of ${bigGroup} members, group 1 of ${smallGroup}, ${d.groups - 2} empty groups`,
    };
  }
  const orgs = sizes.orgs ?? d.orgs;
  const users = sizes.users ?? d.users;
  const groupSize = Math.min(d.groupSize, Math.floor(users / d.groups));
  if (users < 10 || orgs < 1) throw new Error('--fixture orgs needs --orgs ≥ 1 and --users ≥ 10');
  const name = `orgs-${orgs}x${users}`;
  const pad = String(orgs - 1).length;
  return {
    kind,
    name,
    orgCount: orgs,
    usersPerOrg: users,
    slug: (n) => `fx-${name}-${String(n).padStart(pad, '0')}`,
    userName: (n, i) => `u${i}@org${n}.bench.example.com`,
    externalId: (n, i) => `ext-${n}-${i}`,
    userNameSql: `'u' || i || '@org' || n || '.bench.example.com'`,
    externalIdSql: `'ext-' || n || '-' || i`,
    userNamePattern: '^u([0-9]+)@org[0-9]+\\.bench\\.example\\.com$',
    groups: (n) =>
      Array.from({ length: d.groups }, (_, k) => ({
        displayName: `fx-org${n}-group-${k}`,
        externalId: `fx-org${n}-gext-${k}`,
        lo: k * groupSize,
        hi: (k + 1) * groupSize,
      })),
    describe: `${orgs} orgs × ${users} users, each org with its own token and ${d.groups} groups of ${groupSize} members`,
  };
}

/**
 * The select list that builds a scim_users row for index `i` of org `n`
 * (source columns `org_id`, `n`, `i`, `un`, `ext`) the way createUser stores
 * `userBody(un, i, ext)`; `t` is the org's template row (app role).
 */
const USER_COLUMNS = 'org_id, user_name, external_id, active, display_name, email, doc, version, app_role, app_role_source';
const userSelect = `
  s.org_id, s.un, s.ext, true, 'Bench User ' || s.i, s.un,
  jsonb_build_object(
    'schemas', jsonb_build_array(${sqlString(USER_SCHEMA)}, ${sqlString(ENTERPRISE_SCHEMA)}),
    'externalId', s.ext,
    'userName', s.un,
    'active', true,
    'displayName', 'Bench User ' || s.i,
    'title', 'Engineer',
    'emails', jsonb_build_array(jsonb_build_object('primary', true, 'type', 'work', 'value', s.un)),
    'name', jsonb_build_object('formatted', 'Bench User ' || s.i, 'familyName', 'User ' || s.i, 'givenName', 'Bench'),
    ${sqlString(ENTERPRISE_SCHEMA)}, jsonb_build_object('employeeNumber', s.i::text, 'department', 'Department ' || (s.i % 25))
  ),
  1, t.app_role, t.app_role_source`;

/**
 * Source rows `s(org_id, n, i, un, ext)` for orgs $1 (uuid[]) numbered $2
 * (int[]) whose template users are $5 (uuid[]), indexes [$3, $4), joined with
 * the template row `t` (a tiny materialised CTE, so the join is a hash join).
 */
const sourceSql = (spec) => `
  (select o.org_id, o.n, i, ${spec.userNameSql} as un, ${spec.externalIdSql} as ext
   from unnest($1::uuid[], $2::int[]) as o(org_id, n), generate_series($3::int, $4::int - 1) as i) s
  join templates t on t.org_id = s.org_id`;
const templatesCte = 'templates as materialized (select id, org_id, app_role, app_role_source from scim_users where id = any($5::uuid[]))';

const log0 = () => {};

/** The marker table; created on first use. */
async function ensureMarker(db) {
  await db.query(`create table if not exists bench_fixtures (
    name text primary key,
    seeded_at timestamptz not null default now(),
    scimd_commit text,
    detail jsonb not null
  )`);
  await db.query(`comment on table bench_fixtures is 'scimd bench harness (bench/lib/fixtures.mjs): seeded fixtures with their SCIM tokens in plain text; not a scimd table'`);
}

/**
 * Opens (seeding first when needed) a fixture.
 * @param {object} o
 * @param {ReturnType<typeof fixtureSpec>} o.spec
 * @param {string} o.databaseUrl the PostgreSQL scimd runs on
 * @param {string} o.serverUrl scimd's origin (admin API at /api/v1, SCIM at /scim/v2)
 * @param {string} o.operatorToken
 * @param {boolean} [o.reseed] delete a recorded fixture and seed again
 * @param {number} [o.concurrency] API requests in flight while seeding (8)
 * @param {string} [o.commit] scimd commit, recorded with the fixture
 * @param {(msg: string) => void} [o.log]
 * @returns {Promise<Fixture>} see the end of this function for the shape
 */
export async function openFixture({ spec, databaseUrl, serverUrl, operatorToken, reseed = false, concurrency = 8, commit, log = log0 }) {
  const db = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  const scimBase = `${serverUrl}/scim/v2`;
  try {
    await ensureMarker(db);
    let marker = (await db.query('select seeded_at, detail from bench_fixtures where name = $1', [spec.name])).rows[0];
    if (marker && reseed) {
      log(`  --reseed: deleting fixture ${spec.name}`);
      await dropFixture(db, spec, log);
      marker = undefined;
    }
    let seeding;
    if (!marker) {
      const leftover = await fixtureOrgIds(db, spec);
      if (leftover.length) {
        log(`  fixture ${spec.name} was not finished by an earlier run (${leftover.length} orgs, no bench_fixtures row): deleting its orgs by SQL and seeding again`);
        await dropFixture(db, spec, log);
      }
      seeding = await seedFixture({ db, spec, serverUrl, operatorToken, concurrency, log });
      await db.query('insert into bench_fixtures (name, scimd_commit, detail) values ($1, $2, $3)', [spec.name, commit ?? null, JSON.stringify(seeding.detail)]);
      marker = (await db.query('select seeded_at, detail from bench_fixtures where name = $1', [spec.name])).rows[0];
    } else {
      log(`  reusing fixture ${spec.name} seeded ${marker.seeded_at.toISOString()} (recorded in table bench_fixtures; --reseed seeds it again)`);
    }
    const detail = marker.detail;
    const orgs = await loadOrgs(db, spec, detail, log);
    const fixture = {
      spec,
      name: spec.name,
      reused: !seeding,
      seededAt: marker.seeded_at.toISOString(),
      /** Seconds per seeding step (only when this run seeded), and how. */
      seed: seeding?.seconds,
      /** `seed` of the run that seeded it (recorded in bench_fixtures). */
      recordedSeed: detail.seconds,
      /**
       * One entry per org: `{ n, slug, orgId, token, userIds: string[], userNames: string[],
       * groups: { id, displayName, lo, hi }[] }` — userIds[i] is the id of index i.
       */
      orgs,
      /** Undoes what runs left in the fixture (see the module comment); returns counts. */
      heal: (opts = {}) => heal({ db, spec, orgs, scimBase, concurrency, log, ...opts }),
      /**
       * VACUUM ANALYZE of the SCIM tables, as autovacuum would have done after the
       * previous run's writes and the heal (this PostgreSQL runs without it): keeps
       * the visibility map and statistics of a reused fixture like a fresh one's.
       * @returns seconds taken
       */
      vacuum: () => vacuumAnalyze(db),
      close: () => db.end(),
    };
    return fixture;
  } catch (err) {
    await db.end();
    throw err;
  }
}

async function fixtureOrgIds(db, spec) {
  const slugs = Array.from({ length: spec.orgCount }, (_, n) => spec.slug(n));
  return (await db.query('select id from orgs where slug = any($1::text[])', [slugs])).rows.map((r) => r.id);
}

/** Deletes the fixture's orgs (everything in them cascades) and its marker row. */
async function dropFixture(db, spec, log) {
  const ids = await fixtureOrgIds(db, spec);
  const t0 = performance.now();
  for (let k = 0; k < ids.length; k += 50) await db.query('delete from orgs where id = any($1::uuid[])', [ids.slice(k, k + 50)]);
  await db.query('delete from bench_fixtures where name = $1', [spec.name]);
  if (ids.length) log(`  deleted ${ids.length} orgs in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

function progress(label, total, log) {
  const started = performance.now();
  let last = started;
  return (done) => {
    const now = performance.now();
    if (done === total || now - last > 10_000) {
      last = now;
      log(`  ${label}: ${done}/${total} (${((now - started) / 1000).toFixed(0)} s)`);
    }
  };
}

async function seedFixture({ db, spec, serverUrl, operatorToken, concurrency, log }) {
  const seconds = {};
  const t0 = performance.now();
  const lap = (name, since) => (seconds[name] = Math.round((performance.now() - since) / 100) / 10);
  log(`  seeding fixture ${spec.name}: ${spec.describe}`);
  log(`  orgs, tokens, groups and user 0 of each org through scimd's admin and SCIM APIs (${concurrency} in flight); the other users and the memberships by bulk SQL (INSERT … SELECT generate_series)`);

  // 1. Orgs with SCIM and group sync on and a token, through the admin API.
  const admin = async (method, path, body) => {
    const res = await fetch(`${serverUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${operatorToken}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new HttpError(method, path, res.status, text);
    return JSON.parse(text);
  };
  const orgs = Array.from({ length: spec.orgCount }, (_, n) => ({ n, slug: spec.slug(n) }));
  let t = performance.now();
  await pool(
    orgs.length,
    concurrency,
    async (n) => {
      const org = orgs[n];
      org.orgId = (await admin('POST', '/orgs', { slug: org.slug, name: `Benchmark fixture ${org.slug}` })).id;
      await admin('PATCH', `/orgs/${org.slug}/scim`, { enabled: true, syncGroups: true });
      org.token = (await admin('POST', `/orgs/${org.slug}/scim/tokens`, { name: 'benchmark fixture' })).token;
    },
    progress('orgs + tokens (admin API)', orgs.length, log),
  );
  if (orgs.some((o) => !o.orgId)) {
    // The admin API's org answer is expected to carry the id; fall back to SQL by slug.
    const rows = (await db.query('select id, slug from orgs where slug = any($1::text[])', [orgs.map((o) => o.slug)])).rows;
    const bySlug = new Map(rows.map((r) => [r.slug, r.id]));
    for (const o of orgs) o.orgId = bySlug.get(o.slug);
  }
  lap('orgsAndTokens', t);

  // 2. Template user (index 0) and groups of every org, through the SCIM API.
  t = performance.now();
  const base = `${serverUrl}/scim/v2`;
  const jobs = [];
  for (const org of orgs) {
    org.groups = spec.groups(org.n).map((g) => ({ ...g }));
    jobs.push({ org, user: true });
    for (const g of org.groups) jobs.push({ org, group: g });
  }
  await pool(
    jobs.length,
    concurrency,
    async (k) => {
      const { org, user, group } = jobs[k];
      const scim = scimClient(base, org.token);
      if (user) org.templateId = (await scim.post('/Users', userBody(spec.userName(org.n, 0), 0, spec.externalId(org.n, 0)))).id;
      else group.id = (await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: group.displayName, externalId: group.externalId })).id;
    },
    progress('template users + groups (SCIM API)', jobs.length, log),
  );
  lap('templatesAndGroups', t);

  // 3. The SQL row builder must produce exactly what the API stored for the template.
  await checkTemplate(db, spec, orgs[0]);

  // 4. Users 1 … N−1 by INSERT … SELECT, batches of ~BATCH rows.
  t = performance.now();
  const total = spec.orgCount * (spec.usersPerOrg - 1);
  const onUsers = progress('users (SQL)', total, log);
  let done = 0;
  const insertUsers = `with ${templatesCte}
    insert into scim_users (${USER_COLUMNS})
    select ${userSelect}
    from ${sourceSql(spec)}
    order by s.org_id, s.i`;
  if (spec.usersPerOrg - 1 >= BATCH) {
    // One org, many users: batches of index ranges.
    for (let lo = 1; lo < spec.usersPerOrg; lo += BATCH) {
      const hi = Math.min(spec.usersPerOrg, lo + BATCH);
      const o = orgs[0];
      await db.query(insertUsers, [[o.orgId], [o.n], lo, hi, [o.templateId]]);
      done += hi - lo;
      onUsers(done);
    }
  } else {
    // Many orgs: batches of whole orgs.
    const perBatch = Math.max(1, Math.floor(BATCH / spec.usersPerOrg));
    for (let k = 0; k < orgs.length; k += perBatch) {
      const part = orgs.slice(k, k + perBatch);
      await db.query(insertUsers, [part.map((o) => o.orgId), part.map((o) => o.n), 1, spec.usersPerOrg, part.map((o) => o.templateId)]);
      done += part.length * (spec.usersPerOrg - 1);
      onUsers(done);
    }
  }
  lap('usersSql', t);

  // 5. Memberships, and the versions a PATCH adding them would have moved.
  t = performance.now();
  const groupRows = orgs.flatMap((o) => o.groups.filter((g) => g.hi > g.lo).map((g) => ({ o, g })));
  const memberships = groupRows.reduce((a, { g }) => a + g.hi - g.lo, 0);
  const onMembers = progress('memberships (SQL)', memberships, log);
  let members = 0;
  const insertMembers = `with src as (
      select x.org_id, x.group_id, x.n, i from unnest($1::uuid[], $2::uuid[], $3::int[], $4::int[], $5::int[]) as x(org_id, group_id, n, lo, hi),
        generate_series(x.lo, x.hi - 1) as i),
    added as (
      insert into scim_group_members (org_id, group_id, user_id)
      select src.org_id, src.group_id, u.id from src
      join scim_users u on u.org_id = src.org_id and lower(u.user_name) = lower(${spec.userNameSql})
      order by src.group_id, src.i
      on conflict do nothing
      returning org_id, user_id),
    touched_users as (
      update scim_users set version = version + 1, updated_at = date_trunc('milliseconds', now())
      where id in (select user_id from added))
    update scim_groups set version = version + 1, updated_at = date_trunc('milliseconds', now()) where id = any($2::uuid[])`;
  // Batches of ≤ BATCH memberships; a group bigger than that is split into ranges (its version then moves once per range, as it would per PATCH).
  let batch = [];
  let inBatch = 0;
  const flush = async () => {
    if (!batch.length) return;
    await db.query(insertMembers, [batch.map((b) => b.orgId), batch.map((b) => b.groupId), batch.map((b) => b.n), batch.map((b) => b.lo), batch.map((b) => b.hi)]);
    members += inBatch;
    onMembers(members);
    batch = [];
    inBatch = 0;
  };
  for (const { o, g } of groupRows) {
    for (let lo = g.lo; lo < g.hi; lo += BATCH) {
      const hi = Math.min(g.hi, lo + BATCH);
      if (inBatch + (hi - lo) > BATCH || batch.some((b) => b.groupId === g.id)) await flush();
      batch.push({ orgId: o.orgId, groupId: g.id, n: o.n, lo, hi });
      inBatch += hi - lo;
    }
  }
  await flush();
  lap('membershipsSql', t);

  // 6. What a production database would have done by now (autovacuum is off here).
  t = performance.now();
  log('  VACUUM ANALYZE scim_users, scim_groups, scim_group_members …');
  for (const table of ['scim_users', 'scim_groups', 'scim_group_members', 'orgs', 'scim_tokens', 'scim_provisioning_configs']) await db.query(`vacuum analyze ${table}`);
  lap('vacuumAnalyze', t);

  // 7. Verification through SCIM.
  t = performance.now();
  await verify({ db, spec, orgs, scimBase: base, log });
  lap('verify', t);
  seconds.total = Math.round((performance.now() - t0) / 100) / 10;
  log(
    `  seeded ${spec.name} in ${seconds.total} s (admin API ${seconds.orgsAndTokens} s, SCIM API ${seconds.templatesAndGroups} s, ` +
      `users SQL ${seconds.usersSql} s, memberships SQL ${seconds.membershipsSql} s, VACUUM ANALYZE ${seconds.vacuumAnalyze} s, verify ${seconds.verify} s)`,
  );
  return {
    seconds,
    detail: {
      describe: spec.describe,
      method: 'orgs/tokens: admin API; groups and user 0 per org: SCIM API; other users and memberships: INSERT … SELECT generate_series; then VACUUM ANALYZE',
      seconds,
      orgs: orgs.map((o) => ({ n: o.n, slug: o.slug, orgId: o.orgId, token: o.token, templateId: o.templateId, groups: o.groups })),
    },
  };
}

/** The SQL builder evaluated for index 0 must equal the row createUser stored for the template. */
async function checkTemplate(db, spec, org) {
  const cols = ['org_id', 'user_name', 'external_id', 'active', 'display_name', 'email', 'doc', 'version', 'app_role', 'app_role_source', 'password_hash'];
  const { rows } = await db.query(
    `with ${templatesCte},
          gen(${cols.join(', ')}) as (select ${userSelect}, null::text from ${sourceSql(spec)})
     select ${cols.map((c) => `(gen.${c} is not distinct from api.${c}) as ${c}`).join(', ')}, to_jsonb(gen) as gen, to_jsonb(api) - 'seq' as api
     from gen, scim_users api where api.id = ($5::uuid[])[1]`,
    [[org.orgId], [org.n], 0, 1, [org.templateId]],
  );
  const r = rows[0];
  const differ = cols.filter((c) => r[c] !== true);
  if (differ.length) {
    throw new Error(
      `the SQL seed would not store what the SCIM API stores (columns ${differ.join(', ')} differ); API row: ${JSON.stringify(r.api)}; SQL row: ${JSON.stringify(r.gen)}. ` +
        'Update userSelect in bench/lib/fixtures.mjs to match src/provisioning/users.ts.',
    );
  }
}

/** Keys and value types, recursively (arrays by their first element): two users of one shape compare equal. */
export function shapeOf(v) {
  if (Array.isArray(v)) return [v.length ? shapeOf(v[0]) : 'empty'];
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, shapeOf(v[k])]));
  return typeof v;
}

const sameJson = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const sortKeys = (v) => (Array.isArray(v) ? v.map(sortKeys) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])])) : v);

/** The attributes of a SCIM answer that `userBody` sent (id, meta and groups left out). */
function sentPart(resource) {
  const { id, meta, groups, ...rest } = resource;
  return sortKeys(rest);
}

/**
 * Checks the seeded data through SCIM (throws on the first difference):
 * totalResults of unfiltered /Users (every org) and /Groups, random users by id
 * and by filter against the template's shape and `userBody`'s values, group
 * sizes by `groups.value eq` filter.
 */
async function verify({ db, spec, orgs, scimBase, log }) {
  log('  verifying through SCIM: list totals, random users by id and by userName filter, group sizes …');
  const fail = (msg) => {
    throw new Error(`fixture ${spec.name} verification failed: ${msg}`);
  };
  // Unfiltered totals of every org.
  await pool(orgs.length, 8, async (k) => {
    const o = orgs[k];
    const scim = scimClient(scimBase, o.token);
    const users = (await scim.get('/Users?count=0')).totalResults;
    if (users !== spec.usersPerOrg) fail(`GET /Users?count=0 of ${o.slug} says totalResults ${users}, seeded ${spec.usersPerOrg}`);
    const groups = (await scim.get('/Groups?count=0')).totalResults;
    if (groups !== o.groups.length) fail(`GET /Groups?count=0 of ${o.slug} says totalResults ${groups}, seeded ${o.groups.length}`);
  });
  // Random users of a few orgs, compared with the org's API-created template.
  const sample = [...new Set([0, orgs.length - 1, Math.floor(orgs.length / 2)])].map((k) => orgs[k]);
  for (const o of sample) {
    const scim = scimClient(scimBase, o.token);
    const template = await scim.get(`/Users/${o.templateId}`);
    const picks = [1, spec.usersPerOrg - 1, ...Array.from({ length: 8 }, () => 1 + Math.floor(Math.random() * (spec.usersPerOrg - 1)))];
    for (const g of o.groups) if (g.hi > g.lo) picks.push(g.lo === 0 ? g.hi - 1 : g.lo);
    for (const i of picks) {
      const userName = spec.userName(o.n, i);
      const found = await scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
      if (found.totalResults !== 1 || found.Resources?.length !== 1) fail(`filter userName eq "${userName}" found ${found.totalResults}`);
      const byId = await scim.get(`/Users/${found.Resources[0].id}`);
      if (!sameJson(sortKeys(byId), sortKeys(found.Resources[0]))) fail(`GET /Users/${byId.id} differs from the filter's answer for the same user`);
      const inGroup = o.groups.some((g) => i >= g.lo && i < g.hi);
      const templateInGroup = o.groups.some((g) => g.lo === 0 && g.hi > 0);
      const shapeA = shapeOf({ ...byId, groups: undefined });
      const shapeB = shapeOf({ ...template, groups: undefined });
      if (!sameJson(shapeA, shapeB)) fail(`user ${i} (${userName}) has not the shape of the API-created template: ${JSON.stringify(shapeA)} vs ${JSON.stringify(shapeB)}`);
      if (inGroup !== Array.isArray(byId.groups) || (templateInGroup && inGroup && !sameJson(shapeOf(byId.groups), shapeOf(template.groups)))) fail(`user ${i} groups attribute ${JSON.stringify(byId.groups)} is not what its memberships say`);
      const expected = sentPart({ id: 'x', ...userBody(userName, i, spec.externalId(o.n, i)) });
      if (!sameJson(sentPart(byId), expected)) fail(`user ${i} answers ${JSON.stringify(sentPart(byId))}, userBody sent ${JSON.stringify(expected)}`);
      if (byId.meta.version !== (inGroup ? 'W/"2"' : 'W/"1"')) fail(`user ${i} has version ${byId.meta.version}, expected ${inGroup ? 'W/"2"' : 'W/"1"'} (1 + its memberships)`);
    }
    for (const g of o.groups) {
      const n = (await scim.get(`/Users?count=0&filter=${encodeURIComponent(`groups.value eq "${g.id}"`)}`)).totalResults;
      if (n !== g.hi - g.lo) fail(`group ${g.displayName}: filter groups.value eq says ${n} members, seeded ${g.hi - g.lo}`);
      const found = await scim.get(`/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${g.displayName}"`)}`);
      if (found.totalResults !== 1 || found.Resources[0].id !== g.id || 'members' in found.Resources[0]) fail(`group lookup of ${g.displayName} answered ${JSON.stringify(found).slice(0, 300)}`);
    }
  }
  // And the database agrees on the totals.
  const { rows } = await db.query('select count(*)::int as n from scim_users where org_id = any($1::uuid[])', [orgs.map((o) => o.orgId)]);
  if (rows[0].n !== spec.orgCount * spec.usersPerOrg) fail(`scim_users holds ${rows[0].n} users of the fixture, expected ${spec.orgCount * spec.usersPerOrg}`);
  log('  verified');
}

/** Loads ids of every fixture user (index order) for the scenarios. */
async function loadOrgs(db, spec, detail, log) {
  const t0 = performance.now();
  const orgs = detail.orgs.map((o) => ({ ...o, userIds: new Array(spec.usersPerOrg), userNames: new Array(spec.usersPerOrg) }));
  const byOrg = new Map(orgs.map((o) => [o.orgId, o]));
  const exists = (await db.query('select count(*)::int as n from orgs where id = any($1::uuid[])', [orgs.map((o) => o.orgId)])).rows[0].n;
  if (exists !== orgs.length) throw new Error(`bench_fixtures says ${spec.name} has ${orgs.length} orgs but ${exists} exist: run with --reseed`);
  const re = new RegExp(spec.userNamePattern);
  // In chunks of orgs, rows as arrays: 1,000,000 rows fit, but objects per row would not be cheap.
  const step = Math.max(1, Math.floor(200_000 / spec.usersPerOrg));
  for (let k = 0; k < orgs.length; k += step) {
    const ids = orgs.slice(k, k + step).map((o) => o.orgId);
    const res = await db.query({ text: 'select org_id, id, user_name from scim_users where org_id = any($1::uuid[])', values: [ids], rowMode: 'array' });
    for (const [orgId, id, userName] of res.rows) {
      const m = re.exec(userName);
      if (!m) continue; // users a run created (bench-…), healed separately
      const o = byOrg.get(orgId);
      const i = Number(m[1]);
      o.userIds[i] = id;
      o.userNames[i] = userName;
    }
  }
  for (const o of orgs) {
    const missing = o.userIds.findIndex((id) => id === undefined);
    if (missing >= 0) throw new Error(`fixture ${spec.name}: user ${missing} of ${o.slug} is missing (deleted by hand?): run with --reseed`);
  }
  log(`  loaded ${orgs.length * spec.usersPerOrg} user ids in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return orgs;
}

/**
 * Puts the fixture back the way it was seeded, through the SCIM API: users a
 * run created (userName `bench-…`) deleted, deactivated users reactivated,
 * members a run added to a group removed. SQL is used only to find them.
 * @returns {{ deleted: number, reactivated: number, membersRemoved: number, missingMembers: number, seconds: number }}
 */
async function heal({ db, spec, orgs, scimBase, concurrency, log }) {
  const t0 = performance.now();
  const byOrg = new Map(orgs.map((o) => [o.orgId, o]));
  const orgIds = orgs.map((o) => o.orgId);
  const client = (orgId) => scimClient(scimBase, byOrg.get(orgId).token);
  const run = async (rows, work) => pool(rows.length, concurrency, (k) => work(rows[k]));
  const notFoundOk = (err) => {
    if (!(err instanceof HttpError && err.status === 404)) throw err;
  };

  const extra = (
    await db.query(
      `select r.org_id, r.group_id, m.user_id from unnest($1::uuid[], $2::uuid[], $3::int[], $4::int[]) as r(org_id, group_id, lo, hi)
       join scim_group_members m on m.group_id = r.group_id
       join scim_users u on u.id = m.user_id
       where coalesce(substring(u.user_name from $5)::int, -1) not between r.lo and r.hi - 1`,
      [...groupArrays(orgs), spec.userNamePattern],
    )
  ).rows;
  const byGroup = new Map();
  for (const r of extra) {
    const key = `${r.org_id} ${r.group_id}`;
    if (!byGroup.has(key)) byGroup.set(key, { org_id: r.org_id, group_id: r.group_id, ids: [] });
    byGroup.get(key).ids.push(r.user_id);
  }
  const patches = [];
  for (const g of byGroup.values()) for (let k = 0; k < g.ids.length; k += 100) patches.push({ ...g, ids: g.ids.slice(k, k + 100) });
  await run(patches, (p) => client(p.org_id).patch(`/Groups/${p.group_id}`, memberPatch('Remove', p.ids)));

  const strays = (await db.query(`select org_id, id from scim_users where org_id = any($1::uuid[]) and user_name like 'bench-%'`, [orgIds])).rows;
  await run(strays, (r) => client(r.org_id).delete(`/Users/${r.id}`).catch(notFoundOk));

  const inactive = (await db.query('select org_id, id from scim_users where org_id = any($1::uuid[]) and not active', [orgIds])).rows;
  const activate = { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'True' }] };
  await run(inactive, (r) => client(r.org_id).patch(`/Users/${r.id}`, activate).catch(notFoundOk));

  const missing = (
    await db.query(
      `select coalesce(sum(r.hi - r.lo - (select count(*) from scim_group_members m where m.group_id = r.group_id)), 0)::int as n
       from unnest($1::uuid[], $2::uuid[], $3::int[], $4::int[]) as r(org_id, group_id, lo, hi)`,
      groupArrays(orgs),
    )
  ).rows[0].n;
  const out = { deleted: strays.length, reactivated: inactive.length, membersRemoved: extra.length, missingMembers: missing, seconds: (performance.now() - t0) / 1000 };
  if (out.deleted || out.reactivated || out.membersRemoved) {
    log(`  fixture restored: deleted ${out.deleted} users named bench-…, reactivated ${out.reactivated}, removed ${out.membersRemoved} extra group members (${out.seconds.toFixed(1)} s)`);
  }
  if (missing) log(`  warning: fixture groups miss ${missing} seeded members (removed by hand?); --reseed seeds again`);
  return out;
}

function groupArrays(orgs) {
  const rows = orgs.flatMap((o) => o.groups.map((g) => [o.orgId, g.id, g.lo, g.hi]));
  return [0, 1, 2, 3].map((c) => rows.map((r) => r[c]));
}
