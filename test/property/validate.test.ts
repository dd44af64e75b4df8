/**
 * Property test of the ingress validator (`normalizeResource`, RFC 7643 §2, §4;
 * RFC 7644 §3.3 POST, §3.5.1 PUT), the check every stored document passes:
 * random and hostile bodies (keys in any spelling, dotted, URN-qualified, filters,
 * `__proto__`; values of every JSON type) give a storable document or a 400
 * ScimError, never another exception, and never touch `Object.prototype`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScimError } from '../../src/scim/errors.js';
import { groupResourceType, userResourceType } from '../../src/scim/schemas/resource-types.js';
import { normalizeResource } from '../../src/scim/schemas/validate.js';
import { propertyOptions } from './options.js';
import { anyCase, pathlessValue, prototypeKeys, someValue } from './scim-arbitraries.js';
import { expectStorable } from './storable.js';

describe.each([userResourceType, groupResourceType])('normalizeResource on hostile $name bodies', (rt) => {
  const required = rt.schema.attributes.find((a) => a.required)!;
  const body = fc
    .tuple(
      pathlessValue(rt),
      fc.option(fc.tuple(anyCase(required.name), someValue(required)), { nil: undefined, freq: 8 }),
      fc.option(prototypeKeys, { nil: undefined }),
    )
    .map(([value, name, hostile]) => JSON.parse(JSON.stringify({ ...value, ...(name ? { [name[0]]: name[1] } : {}), ...hostile })) as unknown);

  it('a storable document or 400 invalidValue/invalidSyntax; the body is not modified', () => {
    fc.assert(
      fc.property(fc.oneof({ weight: 9, arbitrary: body }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }), (b) => {
        const before = JSON.stringify(b);
        try {
          const { doc, password } = normalizeResource(rt, b);
          expectStorable(rt, doc);
          if (password !== undefined) expect(typeof password).toBe('string');
        } catch (e) {
          if (!(e instanceof ScimError)) throw new Error(`expected a ScimError, got ${String(e)}`, { cause: e });
          expect(e.status).toBe(400);
          expect(['invalidValue', 'invalidSyntax']).toContain(e.scimType);
        }
        expect(JSON.stringify(b)).toBe(before);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      propertyOptions(`${rt.name} bodies`, 2000),
    );
  }, 120_000);
});
