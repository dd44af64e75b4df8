/**
 * Paging for the admin API's member and group lists: keyset cursors (an opaque
 * token holding the last row's sort key and sequence number, so a page costs
 * O(page) however deep it is) or 1-based page numbers, and safe `search`
 * patterns. A cursor is bound to the sort and order it was made for.
 */
import { sql, type RawBuilder } from 'kysely';

/** One page of a list. */
export interface Page<T> {
  items: T[];
  /** Rows matching the filters (all pages). */
  total: number;
  limit: number;
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
  /** The page number, when the request asked by page. */
  page?: number;
}

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
  page?: number | undefined;
}

/** A cursor that is not one this server made, or was made for another sort: 400. */
export class BadCursorError extends Error {}

interface CursorData {
  /** sort name and order the cursor was made for */
  s: string;
  o: 'asc' | 'desc';
  /** the last row's sort key (text) and tie-breaker */
  k: string | null;
  t: string;
}

export function encodeCursor(d: CursorData): string {
  return Buffer.from(JSON.stringify(d)).toString('base64url');
}

/** @throws BadCursorError */
export function decodeCursor(text: string, sort: string, order: 'asc' | 'desc'): CursorData {
  let d: CursorData;
  try {
    d = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as CursorData;
  } catch {
    throw new BadCursorError('cursor: not a cursor this server returned');
  }
  if (!d || typeof d !== 'object' || typeof d.s !== 'string' || (d.o !== 'asc' && d.o !== 'desc') || (d.k !== null && typeof d.k !== 'string') || typeof d.t !== 'string') {
    throw new BadCursorError('cursor: not a cursor this server returned');
  }
  if (d.s !== sort || d.o !== order) throw new BadCursorError(`cursor: it was made for sort=${d.s}&order=${d.o}; repeat those, or start again without a cursor`);
  return d;
}

/** @throws BadCursorError when both `cursor` and `page` are given. */
export function checkPageRequest(p: PageRequest): void {
  if (p.cursor !== undefined && p.page !== undefined) throw new BadCursorError('Give either cursor or page, not both');
}

/** `%term%` for ILIKE, with `\`, `%` and `_` in the term matched literally. */
export function containsPattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The keyset condition "after the cursor row": `(key, tie) > (k, t)` ascending,
 * `<` descending. Null sort keys are folded to '' by the callers' expressions.
 * @param keyType SQL type the key compares as (`text`, `timestamptz`).
 * @param tieType SQL type of the tie-breaker (`bigint`, `uuid`).
 */
export function afterCursor(key: RawBuilder<unknown>, tie: RawBuilder<unknown>, c: CursorData, keyType: 'text' | 'timestamptz', tieType: 'bigint' | 'uuid'): RawBuilder<boolean> {
  const op = sql.raw(c.o === 'asc' ? '>' : '<');
  return sql<boolean>`(${key}, ${tie}) ${op} (cast(${c.k ?? ''} as ${sql.raw(keyType)}), cast(${c.t} as ${sql.raw(tieType)}))`;
}
