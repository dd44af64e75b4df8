/**
 * fast-check arbitraries for SCIM resources and PatchOp bodies, derived from the
 * schema definitions (RFC 7643 §4, `src/scim/schemas/`): valid User and Group
 * documents as `normalizeResource` stores them, and PATCH requests (RFC 7644
 * §3.5.2) that range from valid to hostile, with the shapes Entra ID and Okta send.
 */
import fc from 'fast-check';
import type { Filter } from '../../src/scim/filter/ast.js';
import { printFilter } from '../../src/scim/filter/print.js';
import { PATCH_OP_SCHEMA } from '../../src/scim/patch/index.js';
import { commonAttributes, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA, type ResourceTypeDef } from '../../src/scim/schemas/resource-types.js';
import type { AttributeDef } from '../../src/scim/schemas/types.js';
import { normalizeResource, type ScimDocument } from '../../src/scim/schemas/validate.js';
import { COMPARE_OPS, mutated, stringValue } from './filter-arbitraries.js';

const record = <T extends object>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> => fc.record<T>(model, { noNullPrototype: true });

/** The name in a random letter case: attribute names are case-insensitive (RFC 7643 §2.1). */
export const anyCase = (word: string) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant(word) },
    // One random bit per letter (cycling after 31), cheaper to generate than an array of booleans.
    { weight: 1, arbitrary: fc.nat().map((bits) => [...word].map((c, i) => ((bits >> i % 31) & 1 ? c.toUpperCase() : c.toLowerCase())).join('')) },
  );

const dateTime = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
const text = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('alice', 'Bob Smith', 'work', 'home', 'a@example.com', 'ALICE@EXAMPLE.COM', 'x', 'Admin', '+1 555 0100') },
  { weight: 2, arbitrary: fc.string({ maxLength: 10 }) },
  { weight: 1, arbitrary: stringValue },
);

/** A value of a simple type as a client would send it (Entra's "True" included). */
function simpleValue(def: AttributeDef): fc.Arbitrary<unknown> {
  switch (def.type) {
    case 'boolean':
      return fc.oneof({ weight: 4, arbitrary: fc.boolean() }, { weight: 1, arbitrary: fc.constantFrom('True', 'False', 'TRUE', 'false') });
    case 'integer':
      return fc.integer();
    case 'decimal':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'dateTime':
      return dateTime;
    case 'string':
    case 'reference':
    case 'binary':
      return def.canonicalValues ? fc.oneof(fc.constantFrom(...def.canonicalValues), text) : text;
    case 'complex':
      throw new Error(`simpleValue(${def.name}): complex`);
  }
}

/** A complex value: some of its sub-attributes, names in random case. */
function complexValue(def: AttributeDef): fc.Arbitrary<Record<string, unknown>> {
  const subs = def.subAttributes ?? [];
  return fc
    .tuple(...subs.map((s) => fc.option(fc.tuple(anyCase(s.name), elementValue(s)), { nil: undefined })))
    .map((pairs) => Object.fromEntries(pairs.filter((p) => p !== undefined)));
}

/** One value of `def` (one element when multi-valued). */
export const elementValue = (def: AttributeDef): fc.Arbitrary<unknown> => (def.type === 'complex' ? complexValue(def) : simpleValue(def));

/** A whole value of `def`, valid or `null`; multi-valued ones as a list (or, as clients do, one bare element). */
export function validValue(def: AttributeDef): fc.Arbitrary<unknown> {
  if (!def.multiValued) return fc.oneof({ weight: 8, arbitrary: elementValue(def) }, { weight: 1, arbitrary: fc.constant(null) });
  return fc.oneof(
    { weight: 6, arbitrary: fc.array(elementValue(def), { maxLength: 2 }) },
    { weight: 1, arbitrary: elementValue(def) },
    { weight: 1, arbitrary: fc.constant(null) },
  );
}

/** Any JSON: wrong types, odd shapes. */
const anyJson = fc.jsonValue({ maxDepth: 2 });

/** A valid value most of the time, else wrong-typed JSON or a quirk ("", "True", a JSON-encoded role). */
export const someValue = (def: AttributeDef | undefined): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 16, arbitrary: def ? validValue(def) : text },
    { weight: 1, arbitrary: anyJson },
    { weight: 1, arbitrary: fc.constantFrom('', 'True', 'false', [], {}, [null], { value: '' }, '{"value":"Admin","primary":"True"}', [{ value: 'x', primary: true }, { value: 'y', primary: true }]) },
  );

/** The attributes of a resource type, each with the URN that qualifies it. */
export function attributesOf(rt: ResourceTypeDef): { def: AttributeDef; uri: string; extension: boolean }[] {
  return [
    ...commonAttributes.map((def) => ({ def, uri: rt.schema.id, extension: false })),
    ...rt.schema.attributes.map((def) => ({ def, uri: rt.schema.id, extension: false })),
    ...rt.extensions.flatMap((e) => e.schema.attributes.map((def) => ({ def, uri: e.schema.id, extension: true }))),
  ];
}

/**
 * A body as a client POSTs it: any subset of the attributes with valid values,
 * extension attributes under their URN, the required name present; readOnly
 * attributes included sometimes (they are dropped).
 */
function resourceBody(rt: ResourceTypeDef): fc.Arbitrary<Record<string, unknown>> {
  const required = rt.schema.attributes.find((a) => a.required)!;
  const core = [...commonAttributes, ...rt.schema.attributes].filter((d) => d !== required && !(rt.name === 'Group' && d.name === 'members'));
  const ext = rt.extensions.map((e) => e.schema);
  return fc
    .tuple(
      fc.oneof(fc.constantFrom('alice@example.com', 'Bob', ' padded '), fc.string({ minLength: 1, maxLength: 12 }).filter((n) => n.trim() !== '')),
      fc.tuple(...core.map((d) => fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.tuple(anyCase(d.name), validValue(d)) }))),
      fc.tuple(...ext.map((s) => fc.option(fc.tuple(...s.attributes.map((d) => fc.option(validValue(d), { nil: undefined }))), { nil: undefined }))),
    )
    .map(([name, pairs, exts]) => {
      const body: Record<string, unknown> = { schemas: [rt.schema.id], [required.name]: name };
      for (const p of pairs) if (p) body[p[0]] = p[1];
      exts.forEach((values, i) => {
        if (!values) return;
        const schema = ext[i];
        body[schema.id] = Object.fromEntries(schema.attributes.flatMap((d, j) => (values[j] === undefined ? [] : [[d.name, values[j]]])));
      });
      return body;
    });
}

/** A document as stored: a random body through the ingress validator (bodies it refuses are skipped). */
export const storedDocument = (rt: ResourceTypeDef): fc.Arbitrary<ScimDocument> =>
  resourceBody(rt)
    .map((body) => {
      try {
        return normalizeResource(rt, body).doc;
      } catch {
        return undefined;
      }
    })
    .filter((d): d is ScimDocument => d !== undefined);

// ---- PATCH paths ----

/** Element filters over the real sub-attribute names of `def`, printed; occasionally an unknown name. */
function elementFilter(def: AttributeDef): fc.Arbitrary<string> {
  const names = (def.subAttributes ?? []).map((s) => s.name);
  const eqSeed = fc
    .tuple(fc.constantFrom(...names), fc.oneof(text, fc.boolean()))
    .map(([n, v]): Filter => ({ kind: 'compare', path: { attr: n }, op: 'eq', value: v }));
  const any: fc.Arbitrary<Filter> = fc.letrec<{ f: Filter }>((tie) => ({
    f: fc.oneof(
      { maxDepth: 2, depthIdentifier: 'element' },
      eqSeed,
      record({ kind: fc.constant('compare' as const), path: fc.oneof(fc.constantFrom(...names), fc.constant('nope')).map((attr) => ({ attr })), op: fc.constantFrom(...COMPARE_OPS), value: fc.oneof(text, fc.boolean(), fc.integer(), fc.constant(null), dateTime) }),
      record({ kind: fc.constant('present' as const), path: fc.constantFrom(...names).map((attr) => ({ attr })) }),
      record({ kind: fc.constant('and' as const), left: tie('f'), right: tie('f') }),
      record({ kind: fc.constant('or' as const), left: tie('f'), right: tie('f') }),
      record({ kind: fc.constant('not' as const), filter: tie('f') }),
    ),
  })).f;
  return any.map(printFilter);
}

/** A PATCH target: the path text, and the definition a valid value is drawn from (none for unknown names). */
export interface PathChoice {
  path: string;
  def?: AttributeDef;
  /** Values for a path that names no single attribute (a whole schema). */
  values?: fc.Arbitrary<unknown>;
}

/**
 * PATCH paths for `rt` (RFC 7644 §3.5.2): attributes and sub-attributes in any
 * case, URN-qualified or not, value filters with and without a trailing
 * sub-attribute, whole extension URNs, readOnly and unknown attributes, and
 * mutated paths.
 */
export function patchPath(rt: ResourceTypeDef): fc.Arbitrary<PathChoice> {
  // Group members paths have their own generator (operation()); here they would crowd out the rest.
  const attrs = attributesOf(rt).filter((a) => !(rt.name === 'Group' && a.def.name === 'members'));
  const qualified = (uri: string, extension: boolean, name: string) =>
    fc.oneof(
      { weight: extension ? 1 : 3, arbitrary: fc.constant(name) },
      { weight: 1, arbitrary: anyCase(uri).map((u) => `${u}:${name}`) },
    );
  const writable = attrs.filter((a) => a.def.mutability !== 'readOnly');
  const readOnly = attrs.filter((a) => a.def.mutability === 'readOnly');
  const plain = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...writable) }, { weight: 1, arbitrary: fc.constantFrom(...readOnly) }).chain(({ def, uri, extension }) =>
    anyCase(def.name).chain((name) => qualified(uri, extension, name)).map((path): PathChoice => ({ path, def })),
  );
  const writableComplex = writable.filter((a) => a.def.subAttributes);
  const complex = fc.oneof(
    { weight: writableComplex.length ? 8 : 0, arbitrary: writableComplex.length ? fc.constantFrom(...writableComplex) : fc.constantFrom(...readOnly) },
    { weight: 1, arbitrary: fc.constantFrom(...readOnly.filter((a) => a.def.subAttributes)) },
  );
  const withSub = complex
    .chain(({ def, uri, extension }) =>
      fc.tuple(anyCase(def.name).chain((n) => qualified(uri, extension, n)), fc.constantFrom(...def.subAttributes!)).map(([p, sub]): PathChoice => ({
        path: `${p}.${sub.name}`,
        def: def.multiValued ? { ...sub, multiValued: false } : sub,
      })),
    );
  const filtered = complex
    .chain(({ def, uri, extension }) =>
      fc.tuple(anyCase(def.name).chain((n) => qualified(uri, extension, n)), elementFilter(def), fc.option(fc.constantFrom(...def.subAttributes!), { nil: undefined })).map(
        ([p, f, sub]): PathChoice => (sub ? { path: `${p}[${f}].${sub.name}`, def: { ...sub, multiValued: false } } : { path: `${p}[${f}]`, def: { ...def, multiValued: false } }),
      ),
    );
  const schemaUris = [rt.schema.id, ...rt.extensions.map((e) => e.schema.id)];
  const wholeSchema = fc.constantFrom(...schemaUris, 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User').chain((u) => anyCase(u)).map((path): PathChoice => ({ path, values: schemaValue }));
  const unknown = fc.oneof(fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,8}$/), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'schemas', 'meta.created', 'id', 'groups')).map((path): PathChoice => ({ path }));
  const complexWeight = writableComplex.length ? 15 : 1;
  const valid = fc.oneof({ weight: 20, arbitrary: plain }, { weight: complexWeight, arbitrary: withSub }, { weight: complexWeight, arbitrary: filtered }, { weight: 5, arbitrary: wholeSchema }, { weight: 5, arbitrary: unknown });
  return fc.oneof(
    { weight: 8, arbitrary: valid },
    { weight: 1, arbitrary: mutated(valid.map((c) => c.path)).map((path): PathChoice => ({ path })) },
  );
}

// ---- PatchOp bodies ----

/**
 * Keys that reach the prototype when a server copies them with `obj[key] = v`:
 * JSON.parse makes "__proto__" an own key, and so does this (spread copies it as
 * an own key too). A test checks that `Object.prototype` stays clean.
 */
export const prototypeKeys = fc.constantFrom(
  JSON.parse('{"__proto__": {"polluted": "yes"}}') as Record<string, unknown>,
  JSON.parse('{"constructor": {"prototype": {"polluted": "yes"}}}') as Record<string, unknown>,
  JSON.parse('{"name": {"__proto__": {"polluted": "yes"}, "givenName": "A"}}') as Record<string, unknown>,
  JSON.parse('{"emails": [{"__proto__": {"polluted": "yes"}, "value": "a@b.c"}]}') as Record<string, unknown>,
);

/** A whole-schema value: keys of that schema and some that are not. */
const schemaValue = fc.dictionary(fc.constantFrom('department', 'Manager', 'costCenter', 'displayName', 'externalId', 'nope', 'manager.value'), text, { maxKeys: 3, noNullPrototype: true });

/** A path-less add/replace value: attribute keys in any form Entra and Okta use (dotted, URN-qualified, whole extensions, filters). */
export function pathlessValue(rt: ResourceTypeDef): fc.Arbitrary<Record<string, unknown>> {
  const entry = patchPath(rt).chain(({ path, def, values }) => fc.tuple(fc.constant(path), values ?? someValue(def)));
  const extension = rt.extensions.length
    ? fc.tuple(anyCase(ENTERPRISE_USER_SCHEMA), fc.dictionary(fc.constantFrom('department', 'Manager', 'costCenter', 'nope', 'manager.value'), someValue(undefined), { maxKeys: 3, noNullPrototype: true }))
    : fc.constant(undefined);
  return fc.tuple(fc.array(entry, { maxLength: 4 }), fc.option(extension, { nil: undefined }), fc.boolean(), fc.option(prototypeKeys, { nil: undefined, freq: 10 })).map(([entries, ext, withSchemas, hostile]) => {
    const value: Record<string, unknown> = Object.fromEntries(entries);
    if (ext) value[ext[0]] = ext[1];
    if (withSchemas) value.schemas = [rt.schema.id];
    return hostile ? { ...value, ...hostile } : value;
  });
}

const validOpName = fc.constantFrom('add', 'remove', 'replace', 'Add', 'Remove', 'Replace', 'REPLACE');
const addOrReplace = fc.constantFrom('add', 'replace', 'Add', 'Replace');

/**
 * One operation object. Mostly well-formed (a value for add/replace, a path for
 * remove; Entra's capitalised names and `path: null` included), so that most
 * requests reach the engine; sometimes malformed in one way.
 */
function operation(rt: ResourceTypeDef): fc.Arbitrary<unknown> {
  const withPath = fc.tuple(validOpName, patchPath(rt), fc.boolean()).chain(([op, { path, def, values }, capital]) => {
    const remove = op.toLowerCase() === 'remove';
    // A remove names its target; Entra's legacy remove also sends the values to take out.
    const value = values ?? someValue(def);
    return (remove ? fc.option(value, { nil: undefined, freq: 3 }) : value).map((v) => {
      const entry: Record<string, unknown> = { [capital ? 'Op' : 'op']: op, [capital ? 'Path' : 'path']: path };
      if (!remove || v !== undefined) entry[capital ? 'Value' : 'value'] = v ?? null;
      return entry;
    });
  });
  const pathless = fc.tuple(addOrReplace, pathlessValue(rt), fc.boolean()).map(([op, value, nullPath]) => ({ op, ...(nullPath ? { path: null } : {}), value }));
  const members =
    rt.name === 'Group'
      ? fc
          .tuple(
            validOpName,
            fc.constantFrom('members', 'Members', `${GROUP_SCHEMA}:members`, 'members[value eq "u1"]', 'members[value eq "u1" or value eq "u2"]', 'members.value', 'members[display eq "x"]', GROUP_SCHEMA),
            someValue(rt.schema.attributes[1]),
          )
          .map(([op, path, value]) => ({ op, path, value }))
      : fc.constantFrom({ op: 'replace', path: 'password', value: 'S3cret!' }, { op: 'add', value: { password: 7 } });
  const malformed = fc.oneof(
    anyJson,
    fc.tuple(fc.oneof(fc.constantFrom('move', 'copy', 'test', '', ' add'), anyJson), patchPath(rt)).map(([op, { path }]) => ({ op, path, value: 'x' })),
    fc.constantFrom({ op: 'add' }, { op: 'remove' }, { op: 'replace', path: 'title' }, { path: 'title', value: 'x' }, { op: 'add', path: 7, value: 'x' }, { op: 'add', path: ['title'], value: 'x' }, { op: 'add', value: 'x' }, { op: 'remove', value: { title: 'x' } }),
  );
  return fc.oneof({ weight: 12, arbitrary: withPath }, { weight: 4, arbitrary: pathless }, { weight: 2, arbitrary: members }, { weight: 1, arbitrary: malformed });
}

/** A PatchOp request body (RFC 7644 §3.5.2), well-formed most of the time. */
export function patchBody(rt: ResourceTypeDef): fc.Arbitrary<unknown> {
  const schemas = fc.oneof(
    { weight: 30, arbitrary: fc.constantFrom([PATCH_OP_SCHEMA], [PATCH_OP_SCHEMA.toUpperCase()], undefined) },
    { weight: 1, arbitrary: fc.oneof(fc.constant([USER_SCHEMA]), fc.constant(PATCH_OP_SCHEMA), anyJson) },
  );
  // Several operations on one attribute (add, then replace, then a filtered remove…) meet far more often than by chance.
  const focusedOn = rt.schema.attributes.filter((d) => d.mutability === 'readWrite' && !d.required && !(rt.name === 'Group' && d.name === 'members'));
  const focused = fc
    .constantFrom(...(focusedOn.length ? focusedOn : rt.schema.attributes.filter((d) => d.required)))
    .chain((def) => fc.array(operation({ ...rt, schema: { ...rt.schema, attributes: rt.schema.attributes.filter((d) => d === def || d.required) }, extensions: [] }), { minLength: 2, maxLength: 4 }));
  const operations = fc.oneof(
    { weight: 20, arbitrary: fc.array(operation(rt), { minLength: 1, maxLength: 4 }) },
    { weight: 10, arbitrary: focused },
    { weight: 1, arbitrary: anyJson },
  );
  return fc.oneof(
    { weight: 30, arbitrary: fc.tuple(schemas, fc.constantFrom('Operations', 'operations', 'OPERATIONS'), operations).map(([s, key, ops]) => ({ ...(s === undefined ? {} : { schemas: s }), [key]: ops })) },
    { weight: 1, arbitrary: anyJson },
  );
}
