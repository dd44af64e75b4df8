/**
 * Applies PATCH operations (RFC 7644 §3.5.2.1 add, §3.5.2.2 remove, §3.5.2.3
 * replace) to a stored `ScimDocument`, purely: the input is never modified, and
 * the result has passed the same validation as a PUT body, so a PATCH can never
 * store what a PUT could not.
 *
 * Where the RFC and the identity providers disagree, scimd follows what the
 * providers need, and says so here:
 * - A filtered add/replace whose filter matches nothing creates the value when
 *   the filter is a plain equality (`emails[type eq "work"].value` → a new
 *   `{type: "work", value}`), instead of the RFC's 400 `noTarget`: Entra relies on
 *   it (conformance entra E025, E026; field-reports F07b, F07d).
 * - A filtered remove that matches nothing succeeds (field-reports F07e).
 * - Unknown attribute names (in a path or a path-less value) are ignored, like
 *   unknown attributes in a POST body; a malformed path is 400 `invalidPath`.
 * - readOnly attributes named by an explicit path are 400 `mutability`; inside a
 *   path-less value they are ignored, as in a PUT body (Okta sends the group's
 *   `id` there, conformance okta K073).
 * - Path-less values may use dotted (`name.givenName`) or URN-qualified keys, or a
 *   whole extension object; each key is applied as its own operation, so the
 *   result is nested and other attributes are kept (entra E031, E035; F03, F04).
 */
import { invalidPath, invalidSyntax, invalidValue, mutability, noTarget } from '../errors.js';
import type { Filter, PatchPath } from '../filter/ast.js';
import { compileFilter } from '../filter/evaluate.js';
import { parsePatchPath } from '../filter/patch-path.js';
import { findSchema, findSubAttribute, type ResolvedAttribute, type ResourceTypeDef } from '../schemas/resource-types.js';
import type { AttributeDef } from '../schemas/types.js';
import {
  attributeLabel,
  enforceSinglePrimary,
  isPlainObject,
  jsonEqual,
  normalizeAttributeValue,
  normalizeDocument,
  normalizeElement,
  normalizeSubAttributeValue,
  resolveAttributeName,
  type ScimDocument,
  withDocumentDefaults,
} from '../schemas/validate.js';
import { inOperation, type PatchOperation, type PatchOpName } from './parse-patch-request.js';

type Plain = Record<string, unknown>;

/** One operation on one target; a path-less operation becomes one step per key of its value. */
interface Step {
  op: PatchOpName;
  target: PatchPath;
  /** The path as the client wrote it (or the value key), for error details. */
  text: string;
  value: unknown;
  /** From a path-less value (or a whole-schema value): readOnly attributes are ignored, not refused. */
  lenient: boolean;
}

const isAbsent = (v: unknown): v is null | undefined => v === null || v === undefined;
const eqi = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Applies `ops` in order to a copy of `doc` and returns the validated result
 * (RFC 7644 §3.5.2: all operations or none; on a throw the caller keeps `doc`,
 * which is never modified).
 *
 * Targets: attributes (`title`), sub-attributes (`name.givenName`), extension
 * attributes (`urn:…:enterprise:2.0:User:department`, or `manager` alone, RFC 7644
 * §3.10), a whole extension (`urn:…:enterprise:2.0:User`), value filters with an
 * optional sub-attribute (`emails[type eq "work"].value`,
 * `roles[primary eq "True"].value`), and path-less add/replace.
 *
 * Semantics: add on a multi-valued attribute appends values not already present
 * (same `value`, and same `type` when both have one) and merges into those that
 * are; replace of a multi-valued attribute swaps the list; add and replace of a
 * complex attribute merge sub-attributes (RFC 7644 §3.5.2.3), except that a
 * reference (`manager`) is replaced whole so a stale `$ref` cannot survive; add or
 * replace with `null` (or Entra's `""` manager) removes the target; a value newly
 * made `primary: true` makes the others `false` (RFC 7643 §2.4). Values pass the
 * checks and compat normalisers of `normalizeResource`. `password` is not part of
 * the document and is ignored here (see `patchedPassword`).
 *
 * Group `members` must have been taken out with `splitGroupPatch` first:
 * membership is not stored in the document.
 *
 * @throws ScimError 400 `invalidValue` for a value of the wrong type (naming the
 *   attribute) or a removed required attribute; `invalidPath` for a malformed path
 *   or a value filter on an attribute that is not multi-valued complex;
 *   `invalidFilter` for a filter naming an unknown sub-attribute; `mutability` for a
 *   path naming a readOnly attribute (`id`, `meta`, `groups`,
 *   `manager.displayName`); `noTarget` for a filtered add/replace that matches
 *   nothing and whose filter is not a plain equality. Details start with the
 *   failing operation, e.g. `Operations[2]: …`.
 * @throws Error (a programming error, not a client one) when a Group operation on
 *   `members` reaches it.
 */
export function applyPatch(rt: ResourceTypeDef, doc: ScimDocument, ops: PatchOperation[]): ScimDocument {
  const work = structuredClone(doc) as Plain;
  ops.forEach((op, i) =>
    inOperation(`Operations[${i}]`, () => {
      for (const step of stepsOf(op)) applyStep(rt, work, step);
    }),
  );
  return normalizeDocument(rt, work);
}

/**
 * The password a PATCH sets, if any: the last add/replace of `password`, by path
 * or as a key of a path-less value (Okta's password sync sends
 * `{"op": "replace", "value": {"password": "…"}}`). The password is writeOnly
 * (RFC 7643 §4.1.1) and never part of the document, so the caller hashes it
 * separately.
 *
 * @throws ScimError 400 `invalidValue` when the password is not a string.
 */
export function patchedPassword(rt: ResourceTypeDef, ops: PatchOperation[]): string | undefined {
  let password: string | undefined;
  for (const op of ops) {
    if (op.op === 'remove') continue;
    for (const step of stepsOf(op)) {
      const resolved = step.target.path.attr === '' ? undefined : resolveAttributeName(rt, step.target.path);
      if (!resolved || resolved.def.mutability !== 'writeOnly' || resolved.subDef || step.target.filter) continue;
      if (isAbsent(step.value)) continue;
      if (typeof step.value !== 'string') throw invalidValue(`Attribute "${resolved.def.name}" must be a string`);
      password = step.value;
    }
  }
  return password;
}

function stepsOf(op: PatchOperation): Step[] {
  if (op.path === undefined && op.target === undefined) {
    if (!isPlainObject(op.value)) throw invalidSyntax(`A "${op.op}" without "path" needs a "value" object of attributes`);
    return pathlessSteps(op.op, op.value);
  }
  const target = op.target ?? parsePatchPath(op.path as string);
  return [{ op: op.op, target, text: op.path ?? formatPath(target), value: op.value, lenient: false }];
}

/** Each key of a path-less value is an attribute path (RFC 7644 §3.5.2.1, §3.5.2.3); `prefix` qualifies keys of a whole-schema value. */
function pathlessSteps(op: PatchOpName, value: Plain, prefix?: string): Step[] {
  const steps: Step[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (!prefix && eqi(key, 'schemas')) continue;
    const text = prefix ? `${prefix}:${key}` : key;
    let target: PatchPath;
    try {
      target = parsePatchPath(text);
    } catch {
      continue; // a key that is not even an attribute name names no attribute we know
    }
    steps.push({ op, target, text, value: v, lenient: true });
  }
  return steps;
}

const formatPath = (p: PatchPath) =>
  `${p.path.uri ? `${p.path.uri}:` : ''}${p.path.attr}${p.path.sub ? `.${p.path.sub}` : ''}${p.filter ? '[…]' : ''}${p.sub ? `.${p.sub}` : ''}`;

/** Reads and writes one attribute of the working document, creating or dropping its extension object as needed. */
class Slot {
  constructor(
    private readonly work: Plain,
    private readonly resolved: ResolvedAttribute,
  ) {}

  private container(create: boolean): Plain | undefined {
    if (!this.resolved.extension) return this.work;
    const uri = this.resolved.schemaUri;
    const ext = this.work[uri];
    if (isPlainObject(ext)) return ext;
    if (!create) return undefined;
    const made: Plain = {};
    this.work[uri] = made;
    return made;
  }

  get(): unknown {
    return this.container(false)?.[this.resolved.def.name];
  }

  /** The current values of a multi-valued attribute (the working copy's own array). */
  list(): unknown[] {
    const v = this.get();
    return Array.isArray(v) ? v : isAbsent(v) ? [] : [v];
  }

  set(value: unknown): void {
    if (value === undefined) return this.delete();
    (this.container(true) as Plain)[this.resolved.def.name] = value;
  }

  delete(): void {
    const c = this.container(false);
    if (!c) return;
    delete c[this.resolved.def.name];
    if (this.resolved.extension && Object.keys(c).length === 0) delete this.work[this.resolved.schemaUri];
  }
}

function applyStep(rt: ResourceTypeDef, work: Plain, step: Step): void {
  const { target } = step;
  if (target.path.attr === '') return applyWholeSchema(rt, work, step);

  const resolved = resolveAttributeName(rt, target.path);
  if (!resolved) return; // unknown attribute: ignored, like an unknown attribute in a POST body
  const { def } = resolved;
  if (rt.name === 'Group' && !resolved.extension && def.name === 'members') {
    throw new Error('Group members operations must be separated with splitGroupPatch before applyPatch');
  }
  if (resolved.subDef && target.filter) throw invalidPath(`"${step.text}": a value filter cannot follow a sub-attribute`);
  const subDef = resolved.subDef ?? (target.sub === undefined ? undefined : findSubAttribute(def, target.sub));
  if (target.sub !== undefined && !subDef) return; // unknown sub-attribute: ignored as above
  const baseLabel = attributeLabel({ ...resolved, subDef: undefined });
  const label = subDef ? `${baseLabel}.${subDef.name}` : baseLabel;
  if (def.mutability === 'readOnly' || subDef?.mutability === 'readOnly') {
    if (step.lenient) return;
    throw mutability(`Attribute "${label}" is readOnly and cannot be modified`);
  }
  if (def.mutability === 'writeOnly') return; // password: not stored in the document

  const slot = new Slot(work, resolved);
  if (target.filter) return applyFiltered(rt, slot, def, target.filter, subDef, step, baseLabel);
  if (subDef) return applySubAttribute(slot, def, subDef, step, baseLabel);
  applyAttribute(slot, def, step, label);
}

/** A path that is a schema URN alone: the extension object as a whole, merged key by key like a path-less value. */
function applyWholeSchema(rt: ResourceTypeDef, work: Plain, step: Step): void {
  const found = findSchema(rt, step.target.path.uri ?? '');
  if (!found) return; // another vendor's schema (e.g. Entra's ADSCIM): ignored
  if (step.target.filter || step.target.sub) throw invalidPath(`"${step.text}": a schema URN cannot take a filter or sub-attribute`);
  const uri = found.schema.id;
  if (step.op === 'remove' || isAbsent(step.value)) {
    if (!found.extension) throw invalidPath(`"${step.text}" names the whole resource; name the attributes to ${step.op} instead`);
    delete work[uri];
    return;
  }
  if (!isPlainObject(step.value)) throw invalidValue(`"${uri}" must be an object holding that schema's attributes`);
  for (const s of pathlessSteps(step.op, step.value, uri)) applyStep(rt, work, s);
}

/** `title`, `name`, `emails`, `urn:…:User:manager`: RFC 7644 §3.5.2.1–3 without a filter. */
function applyAttribute(slot: Slot, def: AttributeDef, step: Step, label: string): void {
  if (step.op === 'remove') {
    if (def.multiValued && def.type === 'complex' && !isAbsent(step.value)) {
      // Entra's legacy shape names the values to remove in `value` (shown for members); honoured for every list.
      const removals = (normalizeAttributeValue(def, step.value, label) as unknown[] | undefined) ?? [];
      slot.set(compact(slot.list().filter((el) => !removals.some((r) => matchesRemoval(def, el, r)))));
    } else {
      slot.delete();
    }
    return;
  }
  const value = normalizeAttributeValue(def, step.value, label);
  if (value === undefined) {
    // null, [] or Entra's "" manager: nothing to add to a list; no value for a single attribute.
    if (step.op === 'replace' || !def.multiValued) slot.delete();
    return;
  }
  if (def.multiValued) {
    if (step.op === 'replace') return slot.set(value);
    const list = slot.list();
    let primaryAt: number | undefined;
    for (const el of value as unknown[]) {
      const i = list.findIndex((x) => sameValue(def, x, el));
      const at = i >= 0 ? i : list.push(el) - 1;
      if (i >= 0) list[i] = isPlainObject(list[i]) && isPlainObject(el) ? { ...list[i], ...el } : el;
      if (primaryAt === undefined && isPrimary(list[at])) primaryAt = at;
    }
    if (primaryAt !== undefined) enforceSinglePrimary(list, primaryAt);
    return slot.set(list);
  }
  const existing = slot.get();
  if (def.type === 'complex' && isPlainObject(existing) && !isReference(def)) slot.set({ ...existing, ...(value as Plain) });
  else slot.set(value);
}

/** `name.givenName`, `urn:…:User:manager.value`, or `emails.type` (every value of a list). */
function applySubAttribute(slot: Slot, def: AttributeDef, sub: AttributeDef, step: Step, baseLabel: string): void {
  const label = `${baseLabel}.${sub.name}`;
  const value = step.op === 'remove' ? undefined : normalizeSubAttributeValue(sub, step.value, label);
  if (!def.multiValued) {
    const existing = slot.get();
    const obj: Plain = isPlainObject(existing) ? { ...existing } : {};
    if (value === undefined) delete obj[sub.name];
    else {
      // A new id makes the old $ref point at someone else.
      if (sub.name === 'value' && isReference(def) && obj.value !== value) delete obj.$ref;
      obj[sub.name] = value;
    }
    return slot.set(Object.keys(obj).length ? obj : undefined);
  }
  const list = slot.list();
  if (list.length === 0) {
    if (value !== undefined) slot.set(compact([normalizeElement(def, { [sub.name]: value }, baseLabel)]));
    return;
  }
  for (const el of list) {
    if (!isPlainObject(el)) continue;
    if (value === undefined) delete el[sub.name];
    else el[sub.name] = value;
  }
  if (sub.name === 'primary' && value === true) enforceSinglePrimary(list, 0);
  slot.set(compact(list));
}

/** `emails[type eq "work"]` and `emails[type eq "work"].value`: RFC 7644 §3.5.2 valuePath, with create-on-miss. */
function applyFiltered(
  rt: ResourceTypeDef,
  slot: Slot,
  def: AttributeDef,
  filter: Filter,
  sub: AttributeDef | undefined,
  step: Step,
  baseLabel: string,
): void {
  if (!def.multiValued || def.type !== 'complex') {
    throw invalidPath(`"${step.text}": a value filter "[...]" needs a multi-valued complex attribute, and "${baseLabel}" is not one`);
  }
  const matches = compileFilter(filter, { rt, parent: def });
  const list = slot.list();
  const hits = list.flatMap((el, i) => (matches(el) ? [i] : []));

  if (step.op === 'remove') {
    if (sub) for (const i of hits) delete (list[i] as Plain)[sub.name];
    return slot.set(compact(sub ? list : list.filter((_, i) => !hits.includes(i))));
  }

  const seed = seedFromFilter(filter, def, baseLabel);
  const created = (fields: Plain) => {
    if (!seed) {
      throw noTarget(`No value of "${baseLabel}" matches "${step.text}", and the filter is not an equality (such as type eq "work") from which a new value can be created`);
    }
    list.push(normalizeElement(def, { ...seed, ...fields }, baseLabel));
    return [list.length - 1];
  };
  let written: number[];
  if (sub) {
    const value = normalizeSubAttributeValue(sub, step.value, `${baseLabel}.${sub.name}`);
    if (hits.length === 0) {
      if (value === undefined) return;
      written = created({ [sub.name]: value });
    } else {
      for (const i of hits) {
        const el = list[i] as Plain;
        if (value === undefined) delete el[sub.name];
        else el[sub.name] = value;
      }
      written = hits;
    }
  } else {
    const value = normalizeElement(def, step.value, baseLabel) as Plain | undefined;
    if (hits.length === 0) {
      if (value === undefined) return;
      written = created(value);
    } else if (value === undefined) {
      return slot.set(compact(list.filter((_, i) => !hits.includes(i))));
    } else {
      // RFC 7644 §3.5.2.3 replaces matched values whole; the filter's equalities are kept so the value still matches.
      for (const i of hits) list[i] = step.op === 'add' ? { ...(list[i] as Plain), ...value } : { ...seed, ...value };
      written = hits;
    }
  }
  const primaryAt = written.find((i) => isPrimary(list[i]));
  if (primaryAt !== undefined) enforceSinglePrimary(list, primaryAt);
  slot.set(compact(list));
}

/**
 * The value a filter describes when it is a conjunction of `sub eq literal`
 * (`type eq "work"`, `primary eq "True"`), type-checked like any value; otherwise
 * `undefined`, because no single value follows from `co`, `or` or `not`.
 */
function seedFromFilter(filter: Filter, def: AttributeDef, baseLabel: string): Plain | undefined {
  const seed: Plain = {};
  const visit = (f: Filter): boolean => {
    if (f.kind === 'and') return visit(f.left) && visit(f.right);
    if (f.kind !== 'compare' || f.op !== 'eq' || f.value === null || f.path.uri !== undefined || f.path.sub !== undefined) return false;
    const sub = findSubAttribute(def, f.path.attr);
    if (!sub || sub.mutability === 'readOnly') return false;
    seed[sub.name] = normalizeSubAttributeValue(sub, f.value, `${baseLabel}.${sub.name}`);
    return true;
  };
  return visit(filter) ? seed : undefined;
}

const isPrimary = (el: unknown) => isPlainObject(el) && el.primary === true;

/** A single-valued complex attribute that points at a resource (`manager`): replaced whole, never merged. */
const isReference = (def: AttributeDef) =>
  def.type === 'complex' && !def.multiValued && !!findSubAttribute(def, 'value') && !!findSubAttribute(def, '$ref');

/** Drops values left empty; an empty list is no list (RFC 7643 §2.5). */
function compact(list: unknown[]): unknown[] | undefined {
  const kept = list.filter((el) => !isAbsent(el) && !(isPlainObject(el) && Object.keys(el).length === 0));
  return kept.length ? kept : undefined;
}

function textEqual(def: AttributeDef | undefined, a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string' && def && !def.caseExact) return a.toLowerCase() === b.toLowerCase();
  return jsonEqual(a, b);
}

/**
 * Whether `incoming` is a value `existing` already holds, for add (RFC 7644
 * §3.5.2.1: an existing value is not added twice): same `value` and, when both
 * say, the same `type`; for values without a `value` (addresses, or an e-mail
 * sent without one), equal apart from `primary` once both carry the document
 * defaults.
 */
function sameValue(def: AttributeDef, existing: unknown, incoming: unknown): boolean {
  if (!isPlainObject(existing) || !isPlainObject(incoming)) return jsonEqual(existing, incoming);
  const valueDef = findSubAttribute(def, 'value');
  if (valueDef && existing.value !== undefined && incoming.value !== undefined) {
    const typeDef = findSubAttribute(def, 'type');
    return (
      textEqual(valueDef, existing.value, incoming.value) &&
      (existing.type === undefined || incoming.type === undefined || textEqual(typeDef, existing.type, incoming.type))
    );
  }
  // Stored values carry the document defaults (an untyped e-mail is `work`), values added earlier in this request not yet.
  const { primary: _a, ...a } = withDocumentDefaults(def, existing) as Plain;
  const { primary: _b, ...b } = withDocumentDefaults(def, incoming) as Plain;
  return jsonEqual(a, b);
}

/** A removal entry names a stored value by its `value` when it has one, otherwise by every sub-attribute it gives. */
function matchesRemoval(def: AttributeDef, stored: unknown, removal: unknown): boolean {
  if (!isPlainObject(stored) || !isPlainObject(removal)) return jsonEqual(stored, removal);
  if (removal.value !== undefined) return textEqual(findSubAttribute(def, 'value'), stored.value, removal.value);
  return Object.entries(removal).every(([k, v]) => textEqual(findSubAttribute(def, k), stored[k], v));
}
