/**
 * Console accounts: the org admins who sign in to the console (separate from
 * provisioned SCIM users), their one-time set-password tokens, their sessions
 * and the failed sign-ins that throttling counts. Sessions and attempts live
 * here, not in memory, so any instance behind a load balancer sees them.
 * Secrets (passwords, set-password tokens, session ids) are stored only as hashes.
 */
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `
    create table console_admins (
      id uuid primary key default gen_random_uuid(),
      org_id uuid not null references orgs(id) on delete cascade,
      -- lower-cased by the application; sign-in is by email, so unique across scimd
      email text not null unique,
      -- argon2id (PHC string); null until the admin sets a password
      password_hash text,
      password_set_at timestamptz,
      created_at timestamptz not null default date_trunc('milliseconds', now())
    );
    create index console_admins_org on console_admins (org_id, created_at);
    create table password_set_tokens (
      id uuid primary key default gen_random_uuid(),
      admin_id uuid not null references console_admins(id) on delete cascade,
      token_hash text not null unique,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      used_at timestamptz
    );
    create index password_set_tokens_admin on password_set_tokens (admin_id);
    create table console_sessions (
      -- SHA-256 (hex) of the cookie's secret; the secret itself is never stored
      id text primary key,
      admin_id uuid not null references console_admins(id) on delete cascade,
      csrf_token text not null,
      created_at timestamptz not null default now(),
      last_seen_at timestamptz not null default now(),
      expires_at timestamptz not null,
      ip text,
      user_agent text
    );
    create index console_sessions_admin on console_sessions (admin_id);
    create index console_sessions_expires on console_sessions (expires_at);
    create table login_attempts (
      id bigint generated always as identity primary key,
      email text not null,
      ip text not null,
      at timestamptz not null default now()
    );
    create index login_attempts_email on login_attempts (email, at);
    create index login_attempts_ip on login_attempts (ip, at);
    create index login_attempts_at on login_attempts (at)
  `);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `
    drop table login_attempts;
    drop table console_sessions;
    drop table password_set_tokens;
    drop table console_admins
  `);
}
