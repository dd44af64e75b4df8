/** `scimd serve`: start the server (see src/main.ts). */
import type { Command } from 'commander';
import { loadConfig } from '../../config/config.js';
import { serve } from '../../main.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('start the SCIM server (embedded PGlite in SCIMD_DATA_DIR, or DATABASE_URL)')
    .action(async () => {
      const config = loadConfig();
      const server = await serve(config);
      await new Promise<void>((resolve) => {
        // SIGTERM (an orchestrator) or SIGINT (Ctrl-C): drain and exit 0. If draining
        // outlasts SCIMD_SHUTDOWN_GRACE_SECONDS, or the signal comes again, exit 1
        // without waiting; a write not committed by then is rolled back by the database.
        const force = (why: string) => {
          console.error(`scimd: ${why}; exiting without waiting`);
          process.exit(1);
        };
        let stopping = false;
        const onSignal = (signal: string) => {
          if (stopping) return force(`${signal} received again`);
          stopping = true;
          console.log(`scimd: ${signal} received, finishing requests in flight (grace ${config.shutdownGraceMs / 1000} s)`);
          setTimeout(() => force('shutdown grace period over'), config.shutdownGraceMs).unref();
          void server.close().then(
            () => {
              console.log('scimd: stopped');
              resolve();
            },
            (err: unknown) => force(`shutdown failed: ${(err as Error).message}`),
          );
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
      });
    });
}
