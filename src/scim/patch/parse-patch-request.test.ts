import { describe, expect, it } from 'vitest';
import { ScimError } from '../errors.js';
import { parsePatchRequest, PATCH_OP_SCHEMA } from './parse-patch-request.js';

const S = [PATCH_OP_SCHEMA];

function scimError(fn: () => unknown): ScimError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScimError) return e;
    throw e;
  }
  throw new Error('expected a ScimError');
}

describe('parsePatchRequest: accepted messages', () => {
  it('Entra legacy capitalised ops with filtered and dotted paths (entra E020)', () => {
    expect(
      parsePatchRequest({
        schemas: S,
        Operations: [
          { op: 'Replace', path: 'emails[type eq "work"].value', value: 'a@example.com' },
          { op: 'Replace', path: 'name.familyName', value: 'Updated' },
        ],
      }),
    ).toEqual([
      {
        op: 'replace',
        path: 'emails[type eq "work"].value',
        target: { path: { attr: 'emails' }, filter: { kind: 'compare', path: { attr: 'type' }, op: 'eq', value: 'work' }, sub: 'value' },
        value: 'a@example.com',
      },
      { op: 'replace', path: 'name.familyName', target: { path: { attr: 'name', sub: 'familyName' } }, value: 'Updated' },
    ]);
  });

  it('Operations before schemas, op "Remove" with a path and no value (entra E055, field-reports F01e)', () => {
    expect(parsePatchRequest({ Operations: [{ op: 'Remove', path: 'title' }], schemas: S })).toEqual([
      { op: 'remove', path: 'title', target: { path: { attr: 'title' } } },
    ]);
  });

  it('a path-less replace (okta K050) and a missing schemas member (okta K080)', () => {
    expect(parsePatchRequest({ Operations: [{ op: 'replace', value: { active: false } }] })).toEqual([
      { op: 'replace', value: { active: false } },
    ]);
  });

  it('member names in any case, "path": null as no path, and value null kept', () => {
    expect(
      parsePatchRequest({
        SCHEMAS: [PATCH_OP_SCHEMA.toUpperCase()],
        operations: [
          { OP: 'ADD', Path: null, VALUE: { nickName: 'Al' } },
          { op: 'replace', path: 'title', value: null },
        ],
      }),
    ).toEqual([
      { op: 'add', value: { nickName: 'Al' } },
      { op: 'replace', path: 'title', target: { path: { attr: 'title' } }, value: null },
    ]);
  });

  it('a URN-qualified path and a bare extension URN', () => {
    const ent = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
    expect(
      parsePatchRequest({
        schemas: S,
        Operations: [
          { op: 'Add', path: `${ent}:manager`, value: 'bob' },
          { op: 'replace', path: ent, value: { department: 'X' } },
        ],
      }).map((o) => o.target),
    ).toEqual([{ path: { uri: ent, attr: 'manager' } }, { path: { uri: ent, attr: '' } }]);
  });
});

describe('parsePatchRequest: refused messages', () => {
  it.each([
    ['a body that is not an object', 'Operations', 'invalidSyntax'],
    ['a body that is an array', [], 'invalidSyntax'],
    ['schemas without the PatchOp URN', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], Operations: [{ op: 'add', value: {} }] }, 'invalidSyntax'],
    ['schemas that is a string', { schemas: PATCH_OP_SCHEMA, Operations: [{ op: 'add', value: {} }] }, 'invalidSyntax'],
    ['no Operations', { schemas: S }, 'invalidSyntax'],
    ['Operations that is an object', { schemas: S, Operations: { op: 'add', value: {} } }, 'invalidSyntax'],
    ['Operations that is empty', { schemas: S, Operations: [] }, 'invalidSyntax'],
    ['an operation that is a string', { schemas: S, Operations: ['add'] }, 'invalidSyntax'],
    ['an operation without op', { schemas: S, Operations: [{ path: 'title', value: 'x' }] }, 'invalidSyntax'],
    ['an op that is a number', { schemas: S, Operations: [{ op: 1, path: 'title', value: 'x' }] }, 'invalidSyntax'],
    ['op "move" (field-reports F01g)', { schemas: S, Operations: [{ op: 'move', path: 'title', value: 'Nope' }] }, 'invalidSyntax'],
    ['add with a path and no value', { schemas: S, Operations: [{ op: 'add', path: 'title' }] }, 'invalidSyntax'],
    ['path-less add with a string value', { schemas: S, Operations: [{ op: 'add', value: 'x' }] }, 'invalidSyntax'],
    ['path-less replace with a list value', { schemas: S, Operations: [{ op: 'replace', value: [{ active: false }] }] }, 'invalidSyntax'],
    ['path-less replace without value', { schemas: S, Operations: [{ op: 'replace' }] }, 'invalidSyntax'],
    ['remove without path (RFC 7644 §3.5.2.2)', { schemas: S, Operations: [{ op: 'remove' }] }, 'noTarget'],
    ['a path that is a number', { schemas: S, Operations: [{ op: 'replace', path: 5, value: 'x' }] }, 'invalidPath'],
    ['an empty path', { schemas: S, Operations: [{ op: 'replace', path: '', value: 'x' }] }, 'invalidPath'],
    ['an unterminated filter', { schemas: S, Operations: [{ op: 'replace', path: 'emails[type eq "work"', value: 'x' }] }, 'invalidPath'],
    ['text after the path', { schemas: S, Operations: [{ op: 'replace', path: 'title title', value: 'x' }] }, 'invalidPath'],
  ])('%s', (_name, body, scimType) => {
    const e = scimError(() => parsePatchRequest(body));
    expect([e.status, e.scimType]).toEqual([400, scimType]);
    expect(e.detail).not.toBe('');
  });

  it('names the failing operation', () => {
    const e = scimError(() =>
      parsePatchRequest({ schemas: S, Operations: [{ op: 'add', path: 'title', value: 'x' }, { op: 'move', path: 'title' }] }),
    );
    expect(e.detail).toMatch(/^Operations\[1\]/);
    expect(e.detail).toContain('move');
  });
});
