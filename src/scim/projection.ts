/**
 * `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5) applied to a rendered
 * resource, honouring each attribute's `returned` characteristic (RFC 7643 §7):
 * `always` attributes (id, and by our choice `schemas` and `meta.resourceType`)
 * survive any projection, `never` ones (password) never appear, `request` ones
 * only when asked for.
 */
import type { AttrPath } from './filter/ast.js';
import { invalidValue } from './errors.js';
import { commonAttributes, resolveAttribute, type ResourceTypeDef } from './schemas/resource-types.js';
import type { AttributeDef } from './schemas/types.js';

/** A parsed projection: canonical `attr` or `attr.sub` keys per schema URN. */
export interface Projection {
  mode: 'include' | 'exclude' | 'default';
  /** Keys like `urn:…:User|name` or `urn:…:User|name.givenName`. */
  keys: Set<string>;
}

/**
 * Parses one attribute reference as used by `attributes`, `excludedAttributes` and
 * `sortBy` (RFC 7644 §3.10): `name.givenName` → `{attr, sub}`; a URN prefix is
 * split off at its last colon (`urn:…:enterprise:2.0:User:manager.value`).
 */
export function parseAttributePath(text: string): AttrPath {
  let uri: string | undefined;
  let rest = text;
  if (/^urn:/i.test(text)) {
    const i = text.lastIndexOf(':');
    uri = text.slice(0, i);
    rest = text.slice(i + 1);
  }
  const [attr, sub] = rest.split('.', 2);
  return { ...(uri ? { uri } : {}), attr: attr ?? '', ...(sub ? { sub } : {}) };
}

/**
 * Splits the comma-separated list of an `attributes`/`excludedAttributes`
 * parameter. A value filter in brackets (`emails[type eq "work"]`, sent by
 * Microsoft's SCIM reference tests) is not §3.10 notation; it selects the whole
 * attribute, which only widens what is returned, never what is changed.
 */
function parseAttributeList(list: string): AttrPath[] {
  return list
    .replace(/\[[^\]]*\]/g, '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(parseAttributePath);
}

/**
 * Builds the projection for one request. Unknown attribute names are ignored
 * (RFC 7644 §3.4.2.5 does not make them an error, and IdPs send their own).
 * @throws ScimError 400 invalidValue when both parameters are given.
 */
export function parseProjection(rt: ResourceTypeDef, attributes?: string, excludedAttributes?: string): Projection {
  if (attributes && excludedAttributes) throw invalidValue('Use either "attributes" or "excludedAttributes", not both');
  const list = attributes ?? excludedAttributes;
  if (!list) return { mode: 'default', keys: new Set() };
  const keys = new Set<string>();
  for (const path of parseAttributeList(list)) {
    // A bare extension URN selects the whole extension object.
    if (path.uri === undefined && /^urn:/i.test(path.attr)) continue;
    const ext = rt.extensions.find((e) => e.schema.id.toLowerCase() === `${path.uri ?? ''}:${path.attr}`.toLowerCase());
    if (ext) {
      keys.add(`${ext.schema.id}|*`);
      continue;
    }
    const r = resolveAttribute(rt, path);
    if (!r) continue;
    keys.add(`${r.schemaUri}|${r.def.name}${r.subDef ? '.' + r.subDef.name : ''}`);
  }
  return { mode: attributes ? 'include' : 'exclude', keys };
}

/** Whether the projection can return `attrName` of the core schema (e.g. to skip reading `members`). */
export function projectionWants(rt: ResourceTypeDef, p: Projection, attrName: string): boolean {
  const def = rt.schema.attributes.find((a) => a.name === attrName);
  if (!def) return false;
  return decide(p, rt.schema.id, def) !== 'drop';
}

type Decision = 'keep' | 'drop' | 'partial';

function decide(p: Projection, schemaUri: string, def: AttributeDef): Decision {
  if (def.returned === 'never') return 'drop';
  if (def.returned === 'always' || def.name === 'schemas') return 'keep';
  const whole = p.keys.has(`${schemaUri}|${def.name}`) || p.keys.has(`${schemaUri}|*`);
  const anySub = [...p.keys].some((k) => k.startsWith(`${schemaUri}|${def.name}.`));
  if (p.mode === 'include') return whole ? 'keep' : anySub ? 'partial' : 'drop';
  if (def.returned === 'request') return 'drop';
  if (p.mode === 'exclude') return whole ? 'drop' : anySub ? 'partial' : 'keep';
  return 'keep';
}

function projectComplex(p: Projection, schemaUri: string, def: AttributeDef, value: unknown): unknown {
  const pick = (obj: Record<string, unknown>) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      const sub = def.subAttributes?.find((s) => s.name === k);
      const key = `${schemaUri}|${def.name}.${k}`;
      const keep = p.mode === 'include' ? p.keys.has(key) || sub?.returned === 'always' : !p.keys.has(key);
      if (keep) out[k] = v;
    }
    return out;
  };
  if (Array.isArray(value)) return value.map((v) => (v && typeof v === 'object' ? pick(v as Record<string, unknown>) : v));
  return value && typeof value === 'object' ? pick(value as Record<string, unknown>) : value;
}

/** Applies `p` to a rendered resource (a new object; the input is not changed). */
export function applyProjection(rt: ResourceTypeDef, p: Projection, resource: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const coreDefs = [...commonAttributes, ...rt.schema.attributes];
  for (const [k, v] of Object.entries(resource)) {
    if (k === 'schemas') {
      out[k] = v;
      continue;
    }
    const ext = rt.extensions.find((e) => e.schema.id === k);
    if (ext) {
      const extOut: Record<string, unknown> = {};
      for (const [ek, ev] of Object.entries((v ?? {}) as Record<string, unknown>)) {
        const def = ext.schema.attributes.find((a) => a.name === ek);
        if (!def) continue;
        const d = decide(p, ext.schema.id, def);
        if (d === 'keep') extOut[ek] = ev;
        else if (d === 'partial') extOut[ek] = projectComplex(p, ext.schema.id, def, ev);
      }
      if (Object.keys(extOut).length) out[k] = extOut;
      continue;
    }
    const def = coreDefs.find((a) => a.name === k);
    if (!def) continue;
    // meta is readOnly metadata: kept unless explicitly excluded or not asked for.
    const d = def.name === 'meta' && p.mode === 'include' && ![...p.keys].some((key) => key.includes('|meta')) ? 'drop' : decide(p, rt.schema.id, def);
    if (d === 'keep') out[k] = v;
    else if (d === 'partial') out[k] = projectComplex(p, rt.schema.id, def, v);
  }
  return out;
}
