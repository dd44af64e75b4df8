/** `scimd serve`: start the server (see src/main.ts). */
import type { Command } from 'commander';
import { serve } from '../../main.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('start the SCIM server (embedded PGlite in SCIMD_DATA_DIR, or DATABASE_URL)')
    .action(async () => {
      const server = await serve();
      await new Promise<void>((resolve) => {
        const stop = () => void server.close().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
