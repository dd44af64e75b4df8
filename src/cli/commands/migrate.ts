/** `scimd migrate`: apply pending migrations and exit (serve also does this at start-up). */
import type { Command } from 'commander';
import { loadConfig } from '../../config/config.js';
import { migrateToLatest, openDatabase } from '../../db/connect.js';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(async () => {
      const config = loadConfig();
      const handle = await openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir });
      try {
        const applied = await migrateToLatest(handle.db);
        console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
      } finally {
        await handle.close();
      }
    });
}
