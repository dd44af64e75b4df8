/**
 * `/readyz` (issue 6, operability): ready only when the database answers and
 * holds every migration this build knows; a load balancer takes an instance
 * out while it is not. `/healthz` is liveness: the process answers, without
 * touching the database.
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { openDatabase } from '../../src/db/connect.js';
import { migrationProvider } from '../../src/db/migrations/index.js';
import { dialects, testDatabase } from '../support/db.js';

describe.each(dialects())('/readyz on %s', (dialect) => {
  it('answers 200 on a migrated database', async () => {
    const { db } = await testDatabase(dialect);
    const app = createApp({ db, operatorToken: 'x'.repeat(20), consoleDir: false });
    const r = await app.inject({ method: 'GET', url: '/readyz' });
    expect({ status: r.statusCode, body: r.json() }).toEqual({ status: 200, body: { status: 'ready' } });
    await app.close();
  });
});

describe('/readyz on an embedded database that is not ready', () => {
  it('answers 503 naming every pending migration before migrate, and 503 once the database is gone', async () => {
    const handle = await openDatabase({ dataDir: 'memory://' });
    const app = createApp({ db: handle.db, operatorToken: 'x'.repeat(20), consoleDir: false });
    const known = Object.keys(await migrationProvider.getMigrations()).sort();
    const pending = await app.inject({ method: 'GET', url: '/readyz' });
    expect(pending.statusCode).toBe(503);
    expect(pending.headers['retry-after']).toBe('5');
    expect(pending.json()).toEqual({ status: 'migrations pending', pending: known });
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    await handle.close();
    const gone = await app.inject({ method: 'GET', url: '/readyz' });
    expect({ status: gone.statusCode, body: gone.json() }).toEqual({ status: 503, body: { status: 'database unavailable' } });
    // Liveness never waits on the database (a reviewer saw it queue 3.8 s behind a busy embedded one).
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    await app.close();
  });
});
