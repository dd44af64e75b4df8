/**
 * Property tests of the PATCH engine (RFC 7644 §3.5.2), issue 6 "Hostile input":
 * random stored User and Group documents × random and mutated PatchOp bodies.
 * Every request either yields a document that passes the ingress validation a
 * POST/PUT body gets before it is stored (`normalizeResource`: it is a fixed
 * point of `normalizeDocument`), or fails with a ScimError 400 whose `scimType`
 * RFC 7644 §3.12 defines for PATCH; never another exception, and neither the
 * stored document nor the request body is modified.
 */
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ScimError } from '../../src/scim/errors.js';
import { applyPatch, parsePatchRequest, PATCH_OP_SCHEMA, patchedPassword, splitGroupPatch } from '../../src/scim/patch/index.js';
import { groupResourceType, userResourceType, type ResourceTypeDef } from '../../src/scim/schemas/resource-types.js';
import { normalizeAttributeValue, type ScimDocument } from '../../src/scim/schemas/validate.js';
import { propertyOptions } from './options.js';
import { attributesOf, elementValue, patchBody, storedDocument } from './scim-arbitraries.js';
import { expectStorable } from './storable.js';

/** The RFC 7644 §3.12 keywords a PATCH may answer with status 400. */
const PATCH_SCIM_TYPES = ['invalidSyntax', 'invalidPath', 'invalidValue', 'invalidFilter', 'noTarget', 'mutability'];

/** What the server stores for `body` PATCHed onto `doc`, as src/provisioning/{users,groups}.ts computes it. */
function patchAsServer(rt: ResourceTypeDef, doc: ScimDocument, body: unknown): ScimDocument {
  const ops = parsePatchRequest(body);
  if (rt.name === 'Group') {
    const { memberChanges, otherOps } = splitGroupPatch(ops);
    for (const c of memberChanges) if (c.kind !== 'removeAll') for (const v of c.values) expect(typeof v).toBe('string');
    return applyPatch(rt, doc, otherOps);
  }
  const next = applyPatch(rt, doc, ops);
  const password = patchedPassword(rt, ops);
  expect(password === undefined || typeof password === 'string').toBe(true);
  return next;
}

/**
 * Deep equality by prototype, not by `.constructor`: a JSON body may have an own
 * key "constructor", which would fool toStrictEqual's class check.
 */
function expectUnchanged(actual: unknown, before: unknown): void {
  if (!isDeepStrictEqual(actual, before)) expect(JSON.stringify(actual)).toBe(JSON.stringify(before));
  expect(isDeepStrictEqual(actual, before)).toBe(true);
}

describe.each([userResourceType, groupResourceType])('PATCH engine on random $name documents', (rt) => {
  it('stored documents are canonical: the ingress validator is idempotent', () => {
    fc.assert(fc.property(storedDocument(rt), (doc) => expectStorable(rt, doc)), propertyOptions(`${rt.name} documents`, 500));
  });

  it('random and mutated PatchOp bodies: a storable document or a 400 ScimError; inputs unchanged', () => {
    const outcomes = { applied: 0, refused: 0 };
    fc.assert(
      fc.property(storedDocument(rt), patchBody(rt), (doc, generated) => {
        // The body exactly as the route receives it from JSON.parse.
        const body: unknown = JSON.parse(JSON.stringify(generated));
        const docBefore = structuredClone(doc);
        const bodyBefore = structuredClone(body);
        let next: ScimDocument | undefined;
        try {
          next = patchAsServer(rt, doc, body);
        } catch (e) {
          if (!(e instanceof ScimError)) throw new Error(`expected a ScimError, got ${String(e)}`, { cause: e });
          expect(e.status).toBe(400);
          expect(PATCH_SCIM_TYPES).toContain(e.scimType);
          expect(e.detail).toMatch(/\S/);
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expectUnchanged(doc, docBefore);
        expectUnchanged(body, bodyBefore);
        if (next === undefined) return void outcomes.refused++;
        outcomes.applied++;
        expectStorable(rt, next);
      }),
      propertyOptions(`${rt.name} PATCH`, rt.name === 'User' ? 3000 : 2000),
    );
    console.log(`${rt.name} PATCH outcomes: ${outcomes.applied} applied, ${outcomes.refused} refused (includes shrinking runs)`);
    // Both outcomes must be common, or the generators test only one side.
    expect(outcomes.applied).toBeGreaterThan(300 * Number(process.env.PROPERTY_RUNS_SCALE || 1));
    expect(outcomes.refused).toBeGreaterThan(200);
    // A few seconds alone; generous for a CI machine shared with other suites.
  }, 120_000);
});

describe('PATCH semantics on random User documents', () => {
  const rt = userResourceType;
  const simple = attributesOf(rt).filter(({ def }) => def.type !== 'complex' && !def.multiValued && def.mutability === 'readWrite');
  const multi = attributesOf(rt).filter(({ def }) => def.type === 'complex' && def.multiValued && def.mutability === 'readWrite');
  const apply = (doc: ScimDocument, Operations: unknown[]) => applyPatch(rt, doc, parsePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations }));

  it('replace of a simple attribute stores the value (RFC 7644 §3.5.2.3); remove takes it away (§3.5.2.2)', () => {
    const target = fc.constantFrom(...simple).chain((a) => fc.tuple(fc.constant(a), elementValue(a.def)));
    fc.assert(
      fc.property(storedDocument(rt), target, (doc, [{ def, uri, extension }, value]) => {
        const path = extension ? `${uri}:${def.name}` : def.name;
        const holder = (d: ScimDocument) => (extension ? ((d[uri] ?? {}) as Record<string, unknown>) : d);
        const expected = normalizeAttributeValue(def, value, def.name);
        const blankName = def.required && (typeof expected !== 'string' || expected.trim() === '');
        const replaced = resultOrError(() => apply(doc, [{ op: 'replace', path, value }]));
        if (blankName) return void expect(replaced).toBeInstanceOf(ScimError);
        expect(replaced).not.toBeInstanceOf(ScimError);
        const got = holder(replaced as ScimDocument)[def.name];
        expect(got).toStrictEqual(def.name === 'userName' ? (expected as string).trim() : expected);
        const removed = resultOrError(() => apply(doc, [{ op: 'remove', path }]));
        if (def.required) return void expect(removed).toBeInstanceOf(ScimError);
        expect(holder(removed as ScimDocument)).not.toHaveProperty(def.name);
      }),
      propertyOptions('replace/remove semantics', 1000),
    );
  }, 120_000);

  it('adding the same values twice is adding them once (RFC 7644 §3.5.2.1)', () => {
    const target = fc.constantFrom(...multi).chain((a) => fc.tuple(fc.constant(a), fc.array(elementValue(a.def), { minLength: 1, maxLength: 3 })));
    fc.assert(
      fc.property(storedDocument(rt), target, (doc, [{ def }, values]) => {
        const op = { op: 'add', path: def.name, value: values };
        const once = resultOrError(() => apply(doc, [op]));
        if (once instanceof ScimError) return;
        expect(apply(once, [op])).toStrictEqual(once);
        expect(apply(doc, [op, op])).toStrictEqual(once);
      }),
      propertyOptions('add idempotence', 1000),
    );
  }, 120_000);
});

function resultOrError<T>(fn: () => T): T | ScimError {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ScimError) return e;
    throw e;
  }
}
