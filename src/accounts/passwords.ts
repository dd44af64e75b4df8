/**
 * Console passwords: argon2id through the `argon2` package, at the OWASP
 * baseline (19 MiB, 2 passes, 1 lane), stored as the PHC string the library
 * writes (algorithm, parameters and salt included), so raising the parameters
 * later only needs `needsRehash` at the next sign-in.
 */
import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';

const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Shortest password accepted when one is set. */
export const MIN_PASSWORD_LENGTH = 12;
/** Longest accepted (bounds the work one request can ask for). */
export const MAX_PASSWORD_LENGTH = 1024;

/** Hashes a password as an argon2id PHC string (`$argon2id$v=19$m=…`). */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS);
}

let dummy: Promise<string> | undefined;
/**
 * A hash of a random secret, verified when an email is unknown (or has no
 * password yet) so that such a sign-in costs the same as a wrong password.
 * Made once per process; call early to keep the first sign-in's timing even.
 */
export function dummyHash(): Promise<string> {
  return (dummy ??= hashPassword(randomBytes(32).toString('base64url')));
}

/**
 * Checks `password` against `hash` (or against the dummy hash when `hash` is
 * null, always answering false), taking the same time either way.
 */
export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  try {
    const ok = await argon2.verify(hash ?? (await dummyHash()), password);
    return hash !== null && ok;
  } catch {
    return false;
  }
}

/** True when `hash` was made with other parameters than today's. */
export function needsRehash(hash: string): boolean {
  try {
    return argon2.needsRehash(hash, OPTIONS);
  } catch {
    return false;
  }
}
