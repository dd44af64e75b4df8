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

/** Every scenario, in run order (the group ones run only when the target has group sync). */
export const SCENARIO_NAMES = ['lookup', 'get-by-id', 'patch-active', 'group-members', 'group-lookup', 'page-walk', 'page-deep', 'create'];

/** Per-scenario bookkeeping filled by the request hooks. */
export function newStats() {
  return { samples: [], unexpected: 0, unexpectedSamples: [] };
}

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
    const nonMembers = ctx.userIds.slice(ctx.groupSize);
    const chunks = [];
    for (let i = 0; i + 100 <= nonMembers.length; i += 100) {
      const ids = nonMembers.slice(i, i + 100);
      chunks.push({ add: JSON.stringify(memberPatch('Add', ids)), remove: JSON.stringify(memberPatch('Remove', ids)) });
    }
    let chunkCursor = 0;
    if (!chunks.length) ctx.log?.('  group-members skipped: it needs at least 100 users outside the big group');
    else {
      list.push({
        name: 'group-members',
        what: `PATCH /Groups/{big group of ${ctx.groupSize}}: add 100 members, then remove the same 100 ({"op":"Add"|"Remove","path":"members","value":[…]}); req/s counts both`,
        pairs: true,
        make: (stats) => [
          request(
            stats,
            'PATCH',
            (req, c) => {
              c.chunk = chunks[chunkCursor++ % chunks.length];
              req.path = `${base}/Groups/${ctx.bigGroup.id}`;
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
              req.path = `${base}/Groups/${ctx.bigGroup.id}`;
              req.body = c.chunk.remove;
              return req;
            },
            undefined,
            { headers: SCIM_JSON },
          ),
        ],
      });
    }

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

  list.push({
    name: 'page-deep',
    what: 'GET /Users?startIndex=<total − 99>&count=100 (the last full page, every request)',
    prepare: async () => {
      total = (await ctx.get('/Users?count=0')).totalResults;
      return { users: total };
    },
    make: (stats) => [
      request(
        stats,
        'GET',
        (req) => {
          req.path = `${base}/Users?startIndex=${Math.max(1, total - 99)}&count=100`;
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

  return list;
}
