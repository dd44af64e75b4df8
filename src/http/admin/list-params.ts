/**
 * Query parameters shared by the admin API's paged lists (members, groups):
 * `limit` (1–200, default 50), `cursor` (from the previous answer's `nextCursor`)
 * or `page` (1-based), `search`, `order`; and the page envelope they answer.
 */
import { z } from 'zod';
import { BadCursorError } from '../../provisioning/admin-paging.js';
import { AdminError } from '../errors.js';

export const MAX_LIMIT = 200;

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(50).describe(`Page size, 1–${MAX_LIMIT}`),
  cursor: z.string().max(2000).optional().describe("The previous answer's nextCursor"),
  page: z.coerce.number().int().min(1).max(1_000_000).optional().describe('1-based page number (instead of cursor)'),
});
export const searchQuery = z.string().max(200).optional().describe('Case-insensitive substring');
export const orderQuery = z.enum(['asc', 'desc']).default('asc');

/** The page envelope around `item`. */
export const pageOf = <T extends z.ZodType>(item: T, id: string) =>
  z
    .object({
      items: z.array(item),
      total: z.number().int().describe('Items matching the filters, on all pages'),
      limit: z.number().int(),
      nextCursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last page'),
      page: z.number().int().optional(),
    })
    .meta({ id });

/** Runs `work`, turning a bad cursor into a 400. */
export async function withCursor<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof BadCursorError) throw new AdminError(400, err.message);
    throw err;
  }
}

export const iso = (d: Date): string => d.toISOString();
