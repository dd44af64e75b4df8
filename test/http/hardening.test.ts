/**
 * Inputs from the fresh-user break-it session: each answered with a SCIM error,
 * never stored mangled, never a 500 or a non-SCIM body.
 */
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/db.js';
import { testApp, testOrg, type TestApp, type TestOrg } from '../support/app.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

describe.each(dialects())('Hardening on %s', (dialect) => {
  let t: TestApp;
  let org: TestOrg;
  beforeAll(async () => {
    t = await testApp(dialect);
    org = await testOrg(t);
  });
  afterAll(() => t.app.close());

  const raw = (payload: Buffer | string, contentType = 'application/scim+json', url = '/scim/v2/Users', headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${org.token}`, 'content-type': contentType, ...headers }, payload });

  it('refuses invalid UTF-8 and non-UTF-8 charsets instead of storing U+FFFD', async () => {
    const bad = await raw(Buffer.concat([Buffer.from('{"userName":"bad'), Buffer.from([0xc3, 0x28]), Buffer.from('@example.com"}')]));
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ schemas: [ERROR], scimType: 'invalidSyntax', detail: 'The request body is not valid UTF-8' });
    const latin1 = await raw(Buffer.from('{"userName":"jos\xe9@example.com"}', 'latin1'), 'application/json; charset=iso-8859-1');
    expect(latin1.statusCode).toBe(415);
    expect(JSON.parse(latin1.body).detail).toContain('UTF-8');
    const ok = await raw(JSON.stringify({ schemas: [USER], userName: 'josé@example.com' }), 'application/scim+json; charset="UTF-8"');
    expect(ok.statusCode).toBe(201);
    expect(JSON.parse(ok.body).userName).toBe('josé@example.com');
  });

  it('refuses unpaired surrogates on the SCIM and admin APIs alike', async () => {
    const scim = await raw('{"userName":"x\\ud800y@example.com"}');
    expect(scim.statusCode).toBe(400);
    expect(JSON.parse(scim.body).detail).toContain('unpaired UTF-16 surrogate');
    const admin = await t.app.inject({ method: 'POST', url: '/api/v1/orgs', headers: { authorization: 'Bearer test-operator-token-0123456789', 'content-type': 'application/json' }, payload: '{"slug":"surrogate-org","name":"a\\udc00b"}' });
    expect(admin.statusCode).toBe(400);
    const pair = await raw(JSON.stringify({ schemas: [USER], userName: 'emoji😀@example.com' }));
    expect(pair.statusCode).toBe(201);
  });

  it('answers a malformed URL encoding with a SCIM error', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/scim/v2/Users/%E0%A4%A', headers: { authorization: `Bearer ${org.token}` } });
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toBe('application/scim+json; charset=utf-8');
    expect(JSON.parse(r.body).schemas).toEqual([ERROR]);
  });

  it('answers oversized headers (a 40 KB filter) with a SCIM 431 over a real socket', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const answer = await new Promise<string>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => s.write(`GET /scim/v2/Users?filter=${'a'.repeat(40_000)} HTTP/1.1\r\nHost: x\r\n\r\n`));
      let data = '';
      s.on('data', (d) => (data += d));
      s.on('end', () => resolve(data));
      s.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toContain('application/scim+json');
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ schemas: [ERROR], status: '431' });
  });

  it('never builds URLs from a Host header that is not a host name', async () => {
    const { createApp } = await import('../../src/app.js');
    const { testDatabase } = await import('../support/db.js');
    const app = createApp({ db: (await testDatabase(dialect)).db, operatorToken: 'x'.repeat(20) });
    for (const host of ['a/b?c#d', 'evil.com/x', 'a b']) {
      const r = await app.inject({ method: 'GET', url: '/scim/v2/Users', headers: { authorization: `Bearer ${org.token}`, host } });
      expect(r.statusCode, `Host: ${host} → ${r.body}`).toBe(400);
      expect(JSON.parse(r.body).detail).toContain('Host header');
    }
    const good = await app.inject({ method: 'GET', url: '/scim/v2/ServiceProviderConfig', headers: { authorization: `Bearer ${org.token}`, host: 'scim.example.com:8443' } });
    expect(JSON.parse(good.body).meta.location).toBe('http://scim.example.com:8443/scim/v2/ServiceProviderConfig');
    await app.close();
  });

  it('refuses a BulkRequest that reuses a bulkId', async () => {
    const r = await org.scim('POST', '/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'same', data: { userName: 'b1@example.com' } },
        { method: 'POST', path: '/Users', bulkId: 'same', data: { userName: 'b2@example.com' } },
      ],
    });
    expect(r.status).toBe(400);
    expect(r.body.detail).toContain('"same" is used by more than one operation');
    expect((await org.scim('GET', `/Users?filter=${encodeURIComponent('userName sw "b1@"')}`)).body.totalResults).toBe(0);
  });

  it('keeps ids read-only on Group PUT, like on User PUT', async () => {
    const g = (await org.scim('POST', '/Groups', { displayName: 'IdCheck' })).body;
    const r = await org.scim('PUT', `/Groups/${g.id}`, { id: '00000000-0000-4000-8000-000000000000', displayName: 'Renamed' });
    expect(r.status).toBe(400);
    expect(r.body.scimType).toBe('mutability');
    expect((await org.scim('GET', `/Groups/${g.id}`)).body.displayName).toBe('IdCheck');
  });

  it('refuses sortBy=password, non-decimal startIndex, and a write with If-None-Match: *', async () => {
    expect((await org.scim('GET', '/Users?sortBy=password')).status).toBe(400);
    expect((await org.scim('GET', '/Users?startIndex=0x10')).status).toBe(400);
    expect((await org.scim('GET', '/Users?count=1e3')).status).toBe(400);
    const u = (await org.scim('POST', '/Users', { userName: 'inm@example.com' })).body;
    const r = await org.scim('PUT', `/Users/${u.id}`, { userName: 'inm2@example.com' }, { 'if-none-match': '*' });
    expect(r.status).toBe(412);
    expect((await org.scim('GET', `/Users/${u.id}`)).body.userName).toBe('inm@example.com');
  });

  it('answers malformed ids inside Bulk per operation, and logs refused odd ids', async () => {
    const r = await org.scim('POST', '/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'ok', data: { userName: 'bulk-odd@example.com' } },
        { method: 'PATCH', path: '/Users/%ZZ', data: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: 'x' }] } },
        { method: 'DELETE', path: '/Users/%00' },
        { method: 'DELETE', path: '/Users/%' },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.Operations.map((o: { status: string }) => o.status)).toEqual(['201', '404', '404', '404']);
    const nul = await org.scim('GET', '/Users/%00');
    expect(nul.status).toBe(404);
    const rows = (await t.admin('GET', `/orgs/${org.slug}/activity?limit=20`)).body.items;
    expect(rows[0]).toMatchObject({ method: 'GET', status: 404, targetId: '\\0' });
  });

  it('refuses a compressed body instead of reading it as JSON', async () => {
    const r = await raw(JSON.stringify({ userName: 'gz@example.com' }), 'application/scim+json', '/scim/v2/Users', { 'content-encoding': 'gzip' });
    expect(r.statusCode).toBe(415);
    expect(JSON.parse(r.body).detail).toContain('Content-Encoding "gzip"');
  });

  // Reviewer findings (issue 6): database range and encoding errors surfaced as "a value
  // cannot be stored" instead of the answer the input deserves.
  it('answers a NUL slug with 404, an impossible activity date with a 400 naming the field, and says JSON on a wrong admin content type', async () => {
    for (const slug of ['%00', 'a%00b', 'UPPER', '-x']) {
      const r = await t.app.inject({ method: 'GET', url: `/api/v1/orgs/${slug}/scim`, headers: { authorization: 'Bearer test-operator-token-0123456789' } });
      expect(r.statusCode, slug).toBe(404);
      expect(JSON.parse(r.body).message).toContain('No organisation');
    }
    for (const from of ['0000-01-01T00:00:00Z', '2021-02-29T00:00:00Z']) {
      const r = await t.admin('GET', `/orgs/${org.slug}/activity?from=${encodeURIComponent(from)}`);
      expect(r.status, from).toBe(400);
      expect(r.body.message).toContain('from');
      expect(r.body.message).toContain('between the years 0001 and 9999');
    }
    expect((await t.admin('GET', `/orgs/${org.slug}/activity?from=${encodeURIComponent('2024-02-29T00:00:00Z')}`)).status).toBe(200);
    const wrongType = await t.app.inject({ method: 'POST', url: '/api/v1/orgs', headers: { authorization: 'Bearer test-operator-token-0123456789', 'content-type': 'text/plain' }, payload: 'x' });
    expect(wrongType.statusCode).toBe(415);
    expect(JSON.parse(wrongType.body).message).toBe('The body must be JSON, sent with Content-Type: application/json (or application/scim+json)');
  });
});
