/**
 * The ordered, append-only list of migrations, bundled into the build (no file
 * system scanning, so `dist/` and tests see the same list).
 */
import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001-initial.js';
import * as m0002 from './0002-millisecond-timestamps.js';
import * as m0003 from './0003-activity.js';
import * as m0004 from './0004-console-accounts.js';
import * as m0005 from './0005-org-roles.js';
import * as m0006 from './0006-resource-counts.js';
import * as m0007 from './0007-activity-time-order.js';
import * as m0008 from './0008-users-fillfactor.js';

const migrations: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-millisecond-timestamps': m0002,
  '0003-activity': m0003,
  '0004-console-accounts': m0004,
  '0005-org-roles': m0005,
  '0006-resource-counts': m0006,
  '0007-activity-time-order': m0007,
  '0008-users-fillfactor': m0008,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
