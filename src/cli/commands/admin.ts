/**
 * Console accounts over the admin API of a running server:
 * `admin create <slug> <email> [--password-stdin]`, `admin list <slug>`,
 * `admin delete <slug> <id>`. Without a password, `admin create` prints only
 * the one-time set-password link (valid 72 hours) on stdout, so it composes in
 * scripts; the password itself is read from stdin, never from the command line
 * (where other users could see it in the process list).
 */
import type { Command } from 'commander';
import { api } from './manage.js';

/** Reads all of stdin and drops one trailing line break. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

const print = (v: unknown) => console.log(JSON.stringify(v, null, 2));

export function registerAdminCommands(program: Command): void {
  const admin = program.command('admin').description("an organisation's console admins");
  admin
    .command('create <slug> <email>')
    .description('create a console admin; prints a one-time set-password link unless --password-stdin')
    .option('--password-stdin', 'read the password (at least 12 characters) from stdin')
    .action(async (slug: string, email: string, o: { passwordStdin?: boolean }) => {
      const password = o.passwordStdin ? await readStdin() : undefined;
      if (password !== undefined && password === '') throw new Error('--password-stdin: stdin was empty');
      const created = await api<{ id: string; email: string; setPasswordUrl?: string }>('POST', `/orgs/${encodeURIComponent(slug)}/admins`, {
        email,
        ...(password !== undefined ? { password } : {}),
      });
      if (created.setPasswordUrl) console.log(created.setPasswordUrl);
      else print(created);
    });
  admin
    .command('list <slug>')
    .description('list the console admins of an organisation')
    .action(async (slug: string) => print(await api('GET', `/orgs/${encodeURIComponent(slug)}/admins`)));
  admin
    .command('delete <slug> <id>')
    .description('remove a console admin and end their sessions')
    .action(async (slug: string, id: string) => {
      await api('DELETE', `/orgs/${encodeURIComponent(slug)}/admins/${encodeURIComponent(id)}`);
      console.log(`deleted ${id}`);
    });
}
