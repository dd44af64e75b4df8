/**
 * The load scenarios, each a list of autocannon `requests` built per request
 * by `setupRequest` (so the value varies per request), in the shapes Microsoft
 * Entra ID sends. `onResponse` keeps a few non-2xx samples (with the request
 * that drew them) and counts answers that are 2xx but wrong (e.g. a lookup of a
 * seeded userName that finds nothing).
 */
import { memberPatch, PATCH_OP, userBody } from './scim-client.mjs';

/** A small deterministic PRNG (xorshift32) so two runs pick the same sequence. */
export function rng(seed) {
  let x = seed >>> 0 || 0x9e3779b9;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

const q = (s) => encodeURIComponent(s);
const SCIM_JSON = { 'content-type': 'application/scim+json' };

/**
 * Every scenario, in run order (the group ones run only when the target has
 * group sync; `floor` only on a scimd this harness started on PostgreSQL;
 * `group-members-small` only when the data set has a second group with members;
 * `mixed` by default only with `--fixture orgs`, else when named in `--only`).
 */
export const SCENARIO_NAMES = ['lookup', 'floor', 'get-by-id', 'patch-active', 'group-members', 'group-members-small', 'group-lookup', 'group-get', 'page-walk', 'page-deep', 'create', 'mixed'];

/**
 * Per-scenario bookkeeping filled by the request hooks: up to 5 non-2xx samples,
 * the count (and 3 samples) of 2xx answers that are wrong, and for `mixed` per
 * request shape `{ requests, non2xx, unexpected, latencies: number[] (ms) }`.
 */
export function newStats() {
  return { samples: [], unexpected: 0, unexpectedSamples: [], shapes: {} };
}

/** From `startIndex` this deep on, page-deep asks for page 100,001–100,100 instead of the last page (issue 5: "startIndex 100,000 deep"). */
export const DEEP_START = 100_001;

/**
 * Shapes of scenario `mixed` and their weights (percent of the picks; each pick
 * is one request, except `create`, whose lookup is followed by its POST once
 * the lookup's answer is in, so creates make about 2 × 3 % of the requests).
 * What Entra ID sends in an incremental cycle: it matches every changed user by
 * userName before updating it, updates with PATCH Replace ops (legacy shape:
 * `active` as the string "False"/"True"), matches groups with
 * excludedAttributes=members and sends membership deltas one member at a time.
 */
export const MIXED_WEIGHTS = {
  lookup: 30, // GET /Users?filter=userName eq "<existing>"
  get: 10, // GET /Users/{id}
  'patch-attrs': 20, // PATCH Replace displayName + name.givenName
  'patch-active': 10, // PATCH Replace active "False", later "True" for the same user
  'group-lookup': 10, // GET /Groups?excludedAttributes=members&filter=displayName eq "<group>"
  'group-patch': 10, // PATCH /Groups/{id} Add one member, later Remove it
  create: 3, // GET /Users?filter=userName eq "<new>" (0 results), then POST /Users
  delete: 3, // DELETE /Users/{id} of a user this run created (else a create)
};

/** Wraps a request template: records the request line in the connection's context and checks the answer. */
function request(stats, method, build, check, extra = {}) {
  return {
    method,
    ...extra,
    setupRequest(req, context) {
      const out = build(req, context);
      context.last = `${out.method ?? method} ${out.path}`;
      return out;
    },
    onResponse(status, body, context) {
      const text = typeof body === 'string' ? body : String(body ?? '');
      if (status < 200 || status > 299) {
        if (stats.samples.length < 5) stats.samples.push({ status, request: context.last, body: text.slice(0, 400) });
      } else if (check && !check(text, context)) {
        stats.unexpected++;
        if (stats.unexpectedSamples.length < 3) stats.unexpectedSamples.push({ status, request: context.last, body: text.slice(0, 400) });
      }
    },
  };
}

/**
 * @param {object} ctx
 * @param {string} ctx.basePath path of the SCIM base (`/scim/v2`)
 * @param {string[]} ctx.userNames seeded userNames
 * @param {string[]} ctx.userIds seeded ids (same order)
 * @param {string[]} ctx.groupNames seeded group displayNames (index 0 is the big group)
 * @param {{id: string, displayName: string} | undefined} ctx.bigGroup
 * @param {number} ctx.groupSize members of the big group (the first groupSize users)
 * @param {string} ctx.prefix unique per run, starts every name this run creates
 * @param {(path: string) => Promise<any>} ctx.get a plain SCIM GET for preparing scenarios
 * @param {boolean} [ctx.booleanActive] patch-active sends JSON false/true instead of "False"/"True"
 * @returns the scenario definitions in run order (`create` last, so the
 *   paging scenarios see exactly the seeded users)
 */
export function scenarios(ctx) {
  const pick = rng(0x5c1d);
  const base = ctx.basePath;
  const users = ctx.userIds.length;
  const list = [];

  list.push({
    name: 'lookup',
    what: 'GET /Users?filter=userName eq "<random seeded user>" (Entra matching lookup)',
    make: (stats) => [
      request(
        stats,
        'GET',
        (req, c) => {
          c.i = pick(users);
          req.path = `${base}/Users?filter=${q(`userName eq "${ctx.userNames[c.i]}"`)}`;
          return req;
        },
        (body) => body.includes('"totalResults":1'),
      ),
    ],
  });

  // The same requests against bench/floor.mjs (one SQL statement on scimd's pool); run.mjs points them there.
  list.push({ ...list[0], name: 'floor', floor: true, what: `${list[0].what}, answered by the floor (bench/floor.mjs: one SQL statement on scimd's pool)` });

  list.push({
    name: 'get-by-id',
    what: 'GET /Users/{random seeded id}',
    make: (stats) => [
      request(stats, 'GET', (req) => {
        req.path = `${base}/Users/${ctx.userIds[pick(users)]}`;
        return req;
      }),
    ],
  });

  // Walks the users in seeded order; the first pass deactivates, the next one reactivates.
  // Entra's legacy shape sends the strings "False"/"True"; ctx.booleanActive sends JSON booleans
  // instead, for servers that refuse the strings (e.g. scimmy, see docs/benchmarks.md#peers).
  let patchCursor = 0;
  const activeBodies = (ctx.booleanActive ? [false, true] : ['False', 'True']).map((value) => JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value }] }));
  list.push({
    name: 'patch-active',
    what: 'PATCH /Users/{id} [{"op":"Replace","path":"active","value":"False"|"True"}] (Entra legacy shape), each request flips one user',
    make: (stats) => [
      request(
        stats,
        'PATCH',
        (req) => {
          const n = patchCursor++;
          req.path = `${base}/Users/${ctx.userIds[n % users]}`;
          req.body = activeBodies[Math.floor(n / users) % 2];
          return req;
        },
        undefined,
        { headers: SCIM_JSON },
      ),
    ],
  });

  if (ctx.bigGroup) {
    list.push(...groupMembersScenario(ctx, 'group-members', ctx.bigGroup, 0, ctx.groupSize));
    if (ctx.smallGroup) list.push(...groupMembersScenario(ctx, 'group-members-small', ctx.smallGroup, ctx.smallGroup.lo, ctx.smallGroup.hi));

    list.push({
      name: 'group-lookup',
      what: `GET /Groups?excludedAttributes=members&filter=displayName eq "<random of ${ctx.groupNames.length} groups, the big one included>"`,
      make: (stats) => [
        request(
          stats,
          'GET',
          (req) => {
            req.path = `${base}/Groups?excludedAttributes=members&filter=${q(`displayName eq "${ctx.groupNames[pick(ctx.groupNames.length)]}"`)}`;
            return req;
          },
          (body) => body.includes('"totalResults":1') && !body.includes('"members"'),
        ),
      ],
    });

    // Issue 5: "reading a group of 100,000 members streams"; the harness reports the server's RSS peak during it.
    list.push({
      name: 'group-get',
      what: `GET /Groups/{big group} with all its ${ctx.groupSize} members, one connection (one reader, as an IdP or an admin export)`,
      watchRss: true,
      connections: 1,
      make: (stats) => [
        request(
          stats,
          'GET',
          (req) => {
            req.path = `${base}/Groups/${ctx.bigGroup.id}`;
            return req;
          },
          // group-members may have left a batch added (its remove still to come): at least the group's own members.
          (body) => body.endsWith('}') && (body.match(/"type":"User"/g)?.length ?? 0) >= ctx.groupSize,
        ),
      ],
    });
  }

  let total = 0;
  let walk = 0;
  list.push({
    name: 'page-walk',
    what: 'GET /Users?startIndex=N&count=100, N = 1, 101, 201, … through every user, then again',
    prepare: async () => {
      total = (await ctx.get('/Users?count=0')).totalResults;
      walk = 0;
      return { users: total };
    },
    make: (stats) => [
      request(
        stats,
        'GET',
        (req) => {
          const pages = Math.max(1, Math.ceil(total / 100));
          req.path = `${base}/Users?startIndex=${(walk++ % pages) * 100 + 1}&count=100`;
          return req;
        },
        (body) => body.includes('"itemsPerPage":') && !body.includes('"itemsPerPage":0,'),
      ),
    ],
  });

  let deep = 1;
  list.push({
    name: 'page-deep',
    what: `GET /Users?startIndex=<D>&count=100 every request: D = ${DEEP_START} when there are at least ${DEEP_START + 99} users, else the last full page (total − 99)`,
    prepare: async () => {
      total = (await ctx.get('/Users?count=0')).totalResults;
      deep = total >= DEEP_START + 99 ? DEEP_START : Math.max(1, total - 99);
      return { users: total, startIndex: deep };
    },
    make: (stats) => [
      request(
        stats,
        'GET',
        (req) => {
          req.path = `${base}/Users?startIndex=${deep}&count=100`;
          return req;
        },
        (body) => body.includes('"itemsPerPage":100'),
      ),
    ],
  });

  let created = 0;
  list.push({
    name: 'create',
    what: 'lookup-then-POST pairs: GET /Users?filter=userName eq "<new>" (0 results), then POST /Users (Entra create); req/s counts both',
    pairs: true,
    make: (stats) => [
      request(
        stats,
        'GET',
        (req, c) => {
          c.n = created++;
          c.userName = `${ctx.prefix}new-${c.n}@bench.example.com`;
          req.path = `${base}/Users?filter=${q(`userName eq "${c.userName}"`)}`;
          return req;
        },
        (body) => body.includes('"totalResults":0'),
      ),
      request(
        stats,
        'POST',
        (req, c) => {
          req.path = `${base}/Users`;
          req.body = JSON.stringify(userBody(c.userName, 1_000_000 + c.n, `${ctx.prefix}new-ext-${c.n}`));
          return req;
        },
        undefined,
        { headers: SCIM_JSON },
      ),
    ],
  });

  if (ctx.orgs?.length) list.push(mixedScenario(ctx, pick));

  return list;
}

/**
 * Scenario 5 on one group: PATCH add 100 members, then remove the same 100.
 * Members of `group` are the users with index in [lo, hi); the 100s come from
 * the users after `hi` (then before `lo`), at most 1,000 batches.
 */
function groupMembersScenario(ctx, name, group, lo, hi) {
  const base = ctx.basePath;
  const users = ctx.userIds.length;
  const outside = [];
  for (let i = hi; i < users && outside.length < 100_000; i++) outside.push(i);
  for (let i = 0; i < lo && outside.length < 100_000; i++) outside.push(i);
  const chunks = [];
  for (let k = 0; k + 100 <= outside.length; k += 100) {
    const ids = outside.slice(k, k + 100).map((i) => ctx.userIds[i]);
    chunks.push({ add: JSON.stringify(memberPatch('Add', ids)), remove: JSON.stringify(memberPatch('Remove', ids)) });
  }
  if (!chunks.length) {
    ctx.log?.(`  ${name} skipped: it needs at least 100 users outside the group`);
    return [];
  }
  let chunkCursor = 0;
  return [
    {
      name,
      what: `PATCH /Groups/{group of ${hi - lo}}: add 100 members, then remove the same 100 ({"op":"Add"|"Remove","path":"members","value":[…]}); req/s counts both`,
      pairs: true,
      prepare: async () => ({ groupMembers: hi - lo }),
      make: (stats) => [
        request(
          stats,
          'PATCH',
          (req, c) => {
            c.chunk = chunks[chunkCursor++ % chunks.length];
            req.path = `${base}/Groups/${group.id}`;
            req.body = c.chunk.add;
            return req;
          },
          undefined,
          { headers: SCIM_JSON },
        ),
        request(
          stats,
          'PATCH',
          (req, c) => {
            req.path = `${base}/Groups/${group.id}`;
            req.body = c.chunk.remove;
            return req;
          },
          undefined,
          { headers: SCIM_JSON },
        ),
      ],
    },
  ];
}

/**
 * Scenario 8: Entra's steady-state cycle across many orgs (MIXED_WEIGHTS).
 * Every request picks an org at random and carries that org's token (a
 * per-request Authorization header, set in setupRequest). Follow-ups that need
 * an earlier answer (the POST after a create's lookup, the DELETE of a created
 * user, reactivating a deactivated user, removing an added member) wait in
 * queues shared by all connections and are sent once that answer is in, so the
 * data set stays what it was: what a run leaves is removed by the cleanup (or
 * the fixture's heal).
 *
 * ctx.orgs: `{ token, userIds: string[], userNames: string[], groups: { id, displayName, lo, hi }[] }[]`.
 */
function mixedScenario(ctx, pick) {
  const base = ctx.basePath;
  const orgs = ctx.orgs;
  const shapes = Object.entries(MIXED_WEIGHTS);
  const totalWeight = shapes.reduce((a, [, w]) => a + w, 0);
  const state = { readyPosts: [], created: [], deactivated: [], added: [], n: 0 };
  const tag = ctx.prefix.replace(/-$/, '');
  const choose = () => {
    let r = pick(totalWeight);
    for (const [name, w] of shapes) if ((r -= w) < 0) return name;
    return shapes[0][0];
  };
  const withMembers = orgs.map((o) => o.groups.filter((g) => g.hi > g.lo));
  const active = (value) => JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value }] });
  const ACTIVATE = active('True');
  const DEACTIVATE = active('False');

  /** Fills req for one shape; returns false when the shape cannot run now (the caller picks create instead). */
  const build = (shape, req, c) => {
    const o = c.o;
    const org = orgs[o];
    const users = org.userIds.length;
    switch (shape) {
      case 'lookup': {
        const i = pick(users);
        req.path = `${base}/Users?filter=${q(`userName eq "${org.userNames[i]}"`)}`;
        return true;
      }
      case 'get': {
        c.id = org.userIds[pick(users)];
        req.path = `${base}/Users/${c.id}`;
        return true;
      }
      case 'patch-attrs': {
        const i = pick(users);
        c.expect = `Bench User ${i} (${tag}-${state.n++})`;
        req.method = 'PATCH';
        req.path = `${base}/Users/${org.userIds[i]}`;
        req.body = JSON.stringify({
          schemas: [PATCH_OP],
          Operations: [
            { op: 'Replace', path: 'displayName', value: c.expect },
            { op: 'Replace', path: 'name.givenName', value: `Bench ${tag}` },
          ],
        });
        return true;
      }
      case 'patch-active': {
        req.method = 'PATCH';
        if (state.deactivated.length && (state.deactivated.length >= 50 || pick(2) === 0)) {
          const d = state.deactivated.shift();
          c.o = d.o;
          c.expect = '"active":true';
          req.path = `${base}/Users/${orgs[d.o].userIds[d.i]}`;
          req.body = ACTIVATE;
        } else {
          c.i = pick(users);
          c.expect = '"active":false';
          c.deactivate = true;
          req.path = `${base}/Users/${org.userIds[c.i]}`;
          req.body = DEACTIVATE;
        }
        return true;
      }
      case 'group-lookup': {
        const g = org.groups[pick(org.groups.length)];
        if (!g) return false;
        req.path = `${base}/Groups?excludedAttributes=members&filter=${q(`displayName eq "${g.displayName}"`)}`;
        return true;
      }
      case 'group-patch': {
        req.method = 'PATCH';
        if (state.added.length && (state.added.length >= 50 || pick(2) === 0)) {
          const a = state.added.shift();
          c.o = a.o;
          req.path = `${base}/Groups/${a.groupId}`;
          req.body = JSON.stringify(memberPatch('Remove', [a.userId]));
          return true;
        }
        const groups = withMembers[o];
        if (!groups.length) return false;
        const g = groups[pick(groups.length)];
        // A user outside the group (its members are indexes [lo, hi)).
        const outside = users - (g.hi - g.lo);
        if (outside <= 0) return false;
        let i = pick(outside);
        if (i >= g.lo) i += g.hi - g.lo;
        c.add = { o, groupId: g.id, userId: org.userIds[i] };
        req.path = `${base}/Groups/${g.id}`;
        req.body = JSON.stringify(memberPatch('Add', [c.add.userId]));
        return true;
      }
      case 'create': {
        c.userName = `${ctx.prefix}mixed-o${o}-${state.n++}@bench.example.com`;
        req.path = `${base}/Users?filter=${q(`userName eq "${c.userName}"`)}`;
        c.shape = 'create-lookup';
        return true;
      }
      case 'delete': {
        const d = state.created.shift();
        if (!d) return false;
        c.o = d.o;
        req.method = 'DELETE';
        req.path = `${base}/Users/${d.id}`;
        return true;
      }
    }
    return false;
  };

  const checks = {
    lookup: (body) => body.includes('"totalResults":1'),
    get: (body, c) => body.includes(`"id":"${c.id}"`),
    'patch-attrs': (body, c) => body.includes(JSON.stringify(c.expect)),
    'patch-active': (body, c) => body.includes(c.expect),
    'group-lookup': (body) => body.includes('"totalResults":1') && !body.includes('"members"'),
    'create-lookup': (body) => body.includes('"totalResults":0'),
    'create-post': (body) => body.includes('"id":'),
  };

  return {
    name: 'mixed',
    what: `Entra steady-state cycle across ${orgs.length} org${orgs.length === 1 ? '' : 's'}, each request with a random org's token; weights ${shapes.map(([k, w]) => `${k} ${w}`).join(', ')}`,
    mixed: true,
    defaultOn: orgs.length > 1,
    prepare: async () => ({ orgs: orgs.length, weights: MIXED_WEIGHTS }),
    make: (stats) => [
      {
        method: 'GET',
        setupRequest(req, c) {
          req.method = 'GET';
          req.body = undefined;
          const post = state.readyPosts.shift();
          if (post) {
            c.o = post.o;
            c.shape = 'create-post';
            req.method = 'POST';
            req.path = `${base}/Users`;
            req.body = JSON.stringify(userBody(post.userName, 2_000_000 + post.n, `${ctx.prefix}mixed-ext-${post.n}`));
          } else {
            c.o = pick(orgs.length);
            c.shape = choose();
            if (!build(c.shape, req, c)) {
              c.shape = 'create';
              build('create', req, c);
            }
          }
          // A fresh headers object per request: autocannon adds Content-Length to it, which a later GET must not inherit.
          req.headers = { accept: 'application/scim+json', authorization: `Bearer ${orgs[c.o].token}`, ...(req.body ? SCIM_JSON : {}) };
          c.last = `${req.method} ${req.path}`;
          c.t0 = performance.now();
          return req;
        },
        onResponse(status, body, c) {
          const ms = performance.now() - c.t0;
          const text = typeof body === 'string' ? body : String(body ?? '');
          const s = (stats.shapes[c.shape] ??= { requests: 0, non2xx: 0, unexpected: 0, latencies: [] });
          s.requests++;
          if (status < 200 || status > 299) {
            s.non2xx++;
            if (stats.samples.length < 5) stats.samples.push({ status, request: `${c.shape}: ${c.last}`, body: text.slice(0, 400) });
            return;
          }
          s.latencies.push(ms);
          const check = checks[c.shape];
          if (check && !check(text, c)) {
            s.unexpected++;
            stats.unexpected++;
            if (stats.unexpectedSamples.length < 3) stats.unexpectedSamples.push({ status, request: `${c.shape}: ${c.last}`, body: text.slice(0, 400) });
          }
          if (c.shape === 'create-lookup') state.readyPosts.push({ o: c.o, userName: c.userName, n: state.n++ });
          else if (c.shape === 'create-post') {
            const id = /"id":"([^"]+)"/.exec(text)?.[1];
            if (id) state.created.push({ o: c.o, id });
          } else if (c.deactivate) state.deactivated.push({ o: c.o, i: c.i });
          else if (c.add) state.added.push(c.add);
        },
      },
    ],
  };
}
