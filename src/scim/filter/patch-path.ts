/** PATCH operation paths, RFC 7644 §3.5.2, parsed with the filter grammar of `parse.ts`. */
import { invalidPath } from '../errors.js';
import { allSchemas } from '../schemas/resource-types.js';
import type { PatchPath } from './ast.js';
import { checkInput, GrammarParser } from './parse.js';

const KNOWN_SCHEMA_URIS = allSchemas.map((s) => s.id);

/**
 * Parses a PATCH `path` (RFC 7644 §3.5.2: `PATH = attrPath / valuePath [subAttr]`).
 *
 * - `members` → `{path:{attr:'members'}}`
 * - `name.familyName` → `{path:{attr:'name', sub:'familyName'}}`
 * - `emails[type eq "work"].value` → `{path:{attr:'emails'}, filter:<type eq "work">, sub:'value'}`
 *   (paths in `filter` are relative to one element: `{attr:'type'}`)
 * - `urn:…:enterprise:2.0:User:manager.value` → `{path:{uri:'urn:…:enterprise:2.0:User', attr:'manager', sub:'value'}}`
 * - a bare schema URN, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`
 *   → `{path:{uri:<the URN as written>, attr:''}}`: the extension object as a whole.
 *   Syntax alone cannot tell `urn:…:2.0:User` from URI `urn:…:2.0` + attribute
 *   `User`, so the text is a bare URN when it equals (case-insensitively) one of
 *   `schemaUris`, by default every schema scimd serves.
 *
 * Leading and trailing whitespace is ignored; value filters follow `parseFilter`
 * (case-insensitive operators and keywords, JSON values) except that brackets
 * cannot nest.
 *
 * @throws ScimError 400 `invalidPath` for any malformed path (empty, too long,
 * bad attribute name, malformed or unterminated value filter, text after the
 * path), with a detail naming the token and its 0-based position. Whether the
 * attribute exists is the caller's check.
 */
export function parsePatchPath(text: string, schemaUris: readonly string[] = KNOWN_SCHEMA_URIS): PatchPath {
  checkInput(text, 'path', invalidPath);
  const trimmed = text.trim();
  const lower = trimmed.toLowerCase();
  if (schemaUris.some((u) => u.toLowerCase() === lower)) return { path: { uri: trimmed, attr: '' } };

  const p = new GrammarParser(text, 'path', invalidPath);
  const pathTok = p.takePathToken();
  const path = p.attrPath(pathTok);
  if (!p.atBracket()) {
    p.expectEnd();
    return { path };
  }
  const { filter, end } = p.parseBracket(path, pathTok);
  const sub = p.takeSubAfterBracket(end);
  p.expectEnd();
  return sub === undefined ? { path, filter } : { path, filter, sub };
}
