/**
 * What PostgreSQL `text` (and `jsonb` strings) cannot hold: the NUL character,
 * and an unpaired UTF-16 surrogate, which has no UTF-8 encoding. One rule for
 * every way a string arrives (a request body, a filter's escaped string), so a
 * value refused in one place is refused in all, with the same words.
 */

/** With the `u` flag a surrogate pair is one code point, so this matches only unpaired halves. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * Names the first character of `s` PostgreSQL text cannot store, for an error
 * detail ("the NUL character (\u0000)"); undefined when every character is storable.
 */
export function unstorableCharacter(s: string): string | undefined {
  if (s.includes('\0')) return 'the NUL character (\\u0000)';
  if (LONE_SURROGATE.test(s)) return 'an unpaired UTF-16 surrogate (such as \\ud800)';
  return undefined;
}
