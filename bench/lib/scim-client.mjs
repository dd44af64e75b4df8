/**
 * Plain-fetch helpers for the setup around the load runs: the admin calls that
 * create an org and a SCIM token, seeding users and groups through the SCIM API
 * with a small worker pool, and removing what the run created.
 */

export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

export class HttpError extends Error {
  constructor(method, url, status, body) {
    super(`${method} ${url} answered ${status}: ${String(body).slice(0, 500)}`);
    this.status = status;
    this.body = body;
  }
}

async function call(method, url, token, body, contentType) {
  const res = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/scim+json, application/json',
      ...(body !== undefined ? { 'content-type': contentType } : {}),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new HttpError(method, url, res.status, text);
  return text ? JSON.parse(text) : undefined;
}

/** The operator's admin API on a scimd we started: a new org with SCIM and group sync on, and a token. */
export async function provisionOrg(serverUrl, operatorToken, slug) {
  const api = (method, path, body) => call(method, `${serverUrl}/api/v1${path}`, operatorToken, body, 'application/json');
  await api('POST', '/orgs', { slug, name: `Benchmark ${slug}` });
  await api('PATCH', `/orgs/${slug}/scim`, { enabled: true, syncGroups: true });
  const token = await api('POST', `/orgs/${slug}/scim/tokens`, { name: 'benchmark' });
  return token.token;
}

/** A SCIM client bound to one base URL (`…/scim/v2`) and bearer token. */
export function scimClient(base, token) {
  const req = (method, path, body) => call(method, `${base}${path}`, token, body, 'application/scim+json');
  return {
    get: (path) => req('GET', path),
    post: (path, body) => req('POST', path, body),
    patch: (path, body) => req('PATCH', path, body),
    delete: (path) => req('DELETE', path),
  };
}

/** Runs `work(i)` for i in [0, n) with `concurrency` in flight; the first failure stops the pool. */
export async function pool(n, concurrency, work, onProgress) {
  let next = 0;
  let done = 0;
  let failed;
  const worker = async () => {
    while (!failed && next < n) {
      const i = next++;
      try {
        await work(i);
      } catch (err) {
        failed ??= err;
      }
      done++;
      onProgress?.(done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  if (failed) throw failed;
}

/** An Entra-ID-shaped create body (the attributes its default mapping sends). */
export function userBody(userName, i, externalId) {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
    externalId,
    userName,
    active: true,
    displayName: `Bench User ${i}`,
    title: 'Engineer',
    emails: [{ primary: true, type: 'work', value: userName }],
    name: { formatted: `Bench User ${i}`, familyName: `User ${i}`, givenName: 'Bench' },
    [ENTERPRISE_SCHEMA]: { employeeNumber: String(i), department: `Department ${i % 25}` },
  };
}

export const memberPatch = (op, ids) => ({
  schemas: [PATCH_OP],
  Operations: [{ op, path: 'members', value: ids.map((value) => ({ value })) }],
});

function progressLine(label, total, log) {
  const started = performance.now();
  let lastPrint = started;
  return (done) => {
    const now = performance.now();
    if (done === total || now - lastPrint > 5000) {
      lastPrint = now;
      log(`  ${label}: ${done}/${total} (${Math.round((done * 1000) / (now - started))}/s)`);
    }
  };
}

/**
 * Seeds through the SCIM API: `users` users (POST /Users, `concurrency` in
 * flight), `groups` small groups, and one big group whose first `groupSize`
 * users are added by PATCH in batches of 100 (as Entra does); with
 * `smallGroupSize`, group 1 gets the next `smallGroupSize` users the same way.
 * @returns {{ userNames: string[], userIds: string[], groupNames: string[],
 *   bigGroup?: { id, displayName }, smallGroup?: { id, displayName, lo, hi },
 *   groups: { id, displayName, lo, hi }[] (members are users [lo, hi)),
 *   usersSeconds: number, groupsSeconds: number }}
 */
export async function seed(scim, { prefix, users, groupSize, groups, concurrency, log, smallGroupSize = 0 }) {
  const userNames = new Array(users);
  const userIds = new Array(users);
  const t0 = performance.now();
  await pool(
    users,
    concurrency,
    async (i) => {
      const userName = `${prefix}${i}@bench.example.com`;
      const created = await scim.post('/Users', userBody(userName, i, `${prefix}ext-${i}`));
      userNames[i] = userName;
      userIds[i] = created.id;
    },
    progressLine('users', users, log),
  );
  const usersSeconds = (performance.now() - t0) / 1000;

  const t1 = performance.now();
  const groupNames = [];
  let bigGroup;
  let smallGroup;
  let groupList = [];
  let groupsSeconds = 0;
  if (groups > 0) {
    const names = Array.from({ length: groups }, (_, i) => `${prefix}group-${i}`);
    const ids = new Array(groups);
    await pool(groups, concurrency, async (i) => {
      ids[i] = (await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: names[i], externalId: `${prefix}gext-${i}` })).id;
    });
    groupNames.push(...names);
    bigGroup = { id: ids[0], displayName: names[0] };
    const onProgress = progressLine(`big group members (batches of 100)`, Math.ceil(groupSize / 100), log);
    for (let b = 0; b * 100 < groupSize; b++) {
      await scim.patch(`/Groups/${bigGroup.id}`, memberPatch('Add', userIds.slice(b * 100, Math.min(groupSize, (b + 1) * 100))));
      onProgress(b + 1);
    }
    groupList = names.map((displayName, i) => ({ id: ids[i], displayName, lo: 0, hi: i === 0 ? groupSize : 0 }));
    if (smallGroupSize > 0 && groups > 1 && groupSize < users) {
      smallGroup = groupList[1];
      smallGroup.lo = groupSize;
      smallGroup.hi = Math.min(users, groupSize + smallGroupSize);
      for (let lo = smallGroup.lo; lo < smallGroup.hi; lo += 100) {
        await scim.patch(`/Groups/${smallGroup.id}`, memberPatch('Add', userIds.slice(lo, Math.min(smallGroup.hi, lo + 100))));
      }
    }
    groupsSeconds = (performance.now() - t1) / 1000;
  }
  return { userNames, userIds, groupNames, bigGroup, smallGroup, groups: groupList, usersSeconds, groupsSeconds };
}

/** Ids of every resource whose `attr` starts with `prefix` (paged, ids only). */
async function idsWithPrefix(scim, endpoint, attr, prefix) {
  const ids = [];
  const filter = encodeURIComponent(`${attr} sw "${prefix}"`);
  // Steps by what came back: a server may answer fewer than `count` (its maxResults).
  for (let start = 1; ; ) {
    const page = await scim.get(`/${endpoint}?filter=${filter}&attributes=id&startIndex=${start}&count=1000`);
    const got = page.Resources ?? [];
    ids.push(...got.map((r) => r.id));
    start += got.length;
    if (!got.length || start > page.totalResults) break;
  }
  return ids;
}

/** Deletes the groups and users this run created (their names start with `prefix`). */
export async function cleanup(scim, { prefix, withGroups, concurrency, log }) {
  const t0 = performance.now();
  let groups = 0;
  if (withGroups) {
    const gids = await idsWithPrefix(scim, 'Groups', 'displayName', prefix);
    await pool(gids.length, concurrency, (i) => scim.delete(`/Groups/${gids[i]}`));
    groups = gids.length;
  }
  const uids = await idsWithPrefix(scim, 'Users', 'userName', prefix);
  await pool(uids.length, concurrency, (i) => scim.delete(`/Users/${uids[i]}`), progressLine('delete users', uids.length, log));
  return { users: uids.length, groups, seconds: (performance.now() - t0) / 1000 };
}
