/**
 * The request body parser for `application/scim+json` and `application/json`
 * (RFC 7644 §3.1): strict UTF-8 (RFC 8259 §8.1), JSON, nesting at most
 * MAX_JSON_DEPTH deep, and no character PostgreSQL text cannot hold.
 * Everything refused here is refused for every field at once, with a SCIM
 * error, before any handler runs.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidSyntax, invalidValue, ScimError } from '../scim/errors.js';
import { unstorableCharacter } from '../scim/storable-text.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Deepest nesting of objects and arrays accepted in a body. The deepest real
 * message is a BulkRequest carrying an enterprise `manager` (about 7 levels);
 * every consumer that walks a body recursively (Bulk's `bulkId` resolution, the
 * schema normaliser, the activity diff) is safe below this, and a 100,000-deep
 * body is refused before any of them runs.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether JSON text nests objects and arrays more than `max` deep. Scanned
 * before JSON.parse, skipping strings, and stopping at the first level too
 * deep, so a 100,000-deep body costs 33 brackets, not a parse. (On malformed
 * text the count may be off; such text fails JSON.parse anyway.)
 */
function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character, a quote included
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * The first string (or key) in a parsed value that PostgreSQL cannot store, as
 * a 400 invalidValue; undefined when all are fine. Iterative; the depth is
 * bounded before this runs anyway.
 */
function unstorable(value: unknown): ScimError | undefined {
  const stack: unknown[] = [value];
  const check = (s: string) => {
    const bad = unstorableCharacter(s);
    return bad ? invalidValue(`Strings must not contain ${bad}`) : undefined;
  };
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      const bad = check(v);
      if (bad) return bad;
    } else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        const bad = check(k);
        if (bad) return bad;
        stack.push(child);
      }
    }
  }
  return undefined;
}

function parse(req: FastifyRequest, body: Buffer): unknown {
  // No content coding is decoded here; reading gzip bytes as JSON would only fail later and less clearly.
  const coding = req.headers['content-encoding'];
  if (coding && !/^\s*identity\s*$/i.test(String(coding))) throw new ScimError(415, undefined, `Content-Encoding "${coding}" is not supported; send the body uncompressed`);
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1];
  if (charset && !/^utf-?8$/i.test(charset)) throw new ScimError(415, undefined, `Send the body in UTF-8 (RFC 8259), not ${charset}`);
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw invalidSyntax('The request body is not valid UTF-8');
  }
  if (text.trim() === '') return undefined;
  if (nestedDeeperThan(text, MAX_JSON_DEPTH)) throw invalidSyntax(`The request body is nested deeper than ${MAX_JSON_DEPTH} levels of objects and arrays (the limit)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw invalidSyntax(`The request body is not valid JSON: ${(err as Error).message}`);
  }
  const bad = unstorable(parsed);
  if (bad) throw bad;
  return parsed;
}

/** Replaces Fastify's parsers with the JSON one (SCIM and admin API alike). */
export function registerJsonBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/scim+json', 'application/json'], { parseAs: 'buffer' }, (req, body, done) => {
    try {
      done(null, parse(req, body as Buffer));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
