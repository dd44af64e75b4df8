/**
 * The `scimd` command line. `serve` and `migrate` own the database; the
 * management commands talk to the running server's admin API (`SCIMD_URL`,
 * default http://127.0.0.1:8080) because an embedded database has one owner
 * process.
 */
import { Command, CommanderError } from 'commander';
import { registerAdminCommands } from './commands/admin.js';
import { registerManagementCommands } from './commands/manage.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerServeCommand } from './commands/serve.js';

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const program = new Command('scimd')
    .description('Multi-tenant SCIM 2.0 provisioning server')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerServeCommand(program);
  registerMigrateCommand(program);
  registerManagementCommands(program);
  registerAdminCommands(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    process.stderr.write(`scimd: ${(err as Error).message}\n`);
    return 1;
  }
}
