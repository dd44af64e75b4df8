/**
 * Puts a stored document's keys back in schema order. PostgreSQL's `jsonb`
 * keeps keys sorted by length, which makes answers hard to read (`name` before
 * `userName`); JSON clients do not care, people reading logs do.
 */
import type { AttributeDef } from './types.js';
import type { ResourceTypeDef } from './resource-types.js';

function orderObject(value: unknown, defs: readonly AttributeDef[] | undefined): unknown {
  if (Array.isArray(value)) return value.map((v) => orderObject(v, defs));
  if (!defs || !value || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const def of defs) if (def.name in obj) out[def.name] = orderObject(obj[def.name], def.subAttributes);
  for (const [k, v] of Object.entries(obj)) if (!(k in out)) out[k] = v;
  return out;
}

/** Returns `doc` with core attributes in schema order, then extension objects, each ordered too. */
export function orderDocument(rt: ResourceTypeDef, doc: Record<string, unknown>): Record<string, unknown> {
  const out = orderObject(doc, rt.schema.attributes) as Record<string, unknown>;
  for (const ext of rt.extensions) {
    if (ext.schema.id in out) {
      const v = out[ext.schema.id];
      delete out[ext.schema.id];
      out[ext.schema.id] = orderObject(v, ext.schema.attributes);
    }
  }
  return out;
}
