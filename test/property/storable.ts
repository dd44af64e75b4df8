/** The check that a document is what the store may hold, shared by the PATCH and validator property tests. */
import { expect } from 'vitest';
import type { ResourceTypeDef } from '../../src/scim/schemas/resource-types.js';
import { isPlainObject, normalizeDocument, type ScimDocument } from '../../src/scim/schemas/validate.js';
import { attributesOf } from './scim-arbitraries.js';

/**
 * A document the store accepts: plain JSON, canonical (re-validating it changes
 * nothing), no server-owned or write-only attribute, the required name present,
 * at most one `primary` per list, no empty values.
 */
export function expectStorable(rt: ResourceTypeDef, doc: ScimDocument): void {
  expect(JSON.parse(JSON.stringify(doc))).toStrictEqual(doc);
  expect(normalizeDocument(rt, doc)).toStrictEqual(doc);
  for (const key of ['id', 'meta', 'password', 'groups', 'members']) expect(doc).not.toHaveProperty(key);
  const required = rt.schema.attributes.find((a) => a.required)!.name;
  expect(typeof doc[required] === 'string' && doc[required].trim() !== '').toBe(true);
  const expectedSchemas = [rt.schema.id, ...rt.extensions.map((e) => e.schema.id).filter((id) => id in doc)];
  expect(doc.schemas).toStrictEqual(expectedSchemas);
  for (const { def, uri, extension } of attributesOf(rt)) {
    const holder = extension ? doc[uri] : doc;
    const v = isPlainObject(holder) ? holder[def.name] : undefined;
    if (v === undefined) continue;
    expect(v).not.toBeNull();
    if (def.multiValued) {
      expect(Array.isArray(v) && v.length > 0).toBe(true);
      expect((v as unknown[]).filter((el) => isPlainObject(el) && el.primary === true).length).toBeLessThanOrEqual(1);
    }
    if (def.type === 'complex') for (const el of def.multiValued ? (v as unknown[]) : [v]) expect(isPlainObject(el) && Object.keys(el).length > 0).toBe(true);
  }
}
