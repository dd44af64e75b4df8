/** Resource ids are PostgreSQL UUIDs. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * True for a canonical UUID string. An id of any other shape can never exist, so
 * callers answer 404 (or match nothing) without a query, and never hand the
 * database a value its `::uuid` cast would refuse.
 */
export const isUuid = (s: string): boolean => UUID.test(s);
