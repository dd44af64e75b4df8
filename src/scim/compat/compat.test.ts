import { describe, expect, it } from 'vitest';
import * as compat from './index.js';
import { coerceBooleanString, compatNormalisers, decodeJsonEncodedRole, defaultEmailType, entraManagerValue, isAbsent } from './index.js';

describe('coerceBooleanString (Entra legacy "True"/"False", field-reports F02)', () => {
  it.each([
    ['True', true],
    ['False', false],
    ['TRUE', true],
    ['false', false],
    [true, true],
    [false, false],
  ])('%j → %j', (input, expected) => {
    expect(coerceBooleanString(input)).toBe(expected);
  });

  it.each(['maybe', ' true', 'yes', '1', 1, 0, null])('leaves %j for the type check to refuse', (input) => {
    expect(coerceBooleanString(input)).toBe(input);
  });
});

describe('entraManagerValue (entra E028, E030, E036; field-reports F26)', () => {
  it.each([
    ['a bare id', 'bob-id', { value: 'bob-id' }],
    ['an empty string', '', undefined],
    ['a blank string', '  ', undefined],
    ['{value: ""}', { value: '' }, undefined],
    ['a one-element list (tutorial Example 5)', [{ $ref: '../Users/bob-id', value: 'bob-id' }], { $ref: '../Users/bob-id', value: 'bob-id' }],
    ['a one-element list of a string', ['bob-id'], { value: 'bob-id' }],
    ['the standard object', { value: 'bob-id' }, { value: 'bob-id' }],
    ['a number', 5, 5],
    ['a two-element list', ['a', 'b'], ['a', 'b']],
  ])('%s', (_name, input, expected) => {
    expect(entraManagerValue(input)).toEqual(expected);
  });
});

describe('decodeJsonEncodedRole (entra E041, field-reports F27b)', () => {
  it('decodes a JSON-encoded value and keeps the other sub-attributes', () => {
    expect(decodeJsonEncodedRole({ value: '{"id":"7d1f","value":"Admin","displayName":"Admin"}', primary: 'True' })).toEqual({
      value: 'Admin',
      display: 'Admin',
      primary: 'True',
    });
  });

  it('decodes a whole entry given as a JSON string', () => {
    expect(decodeJsonEncodedRole('{"value":"Admin","type":"WindowsAzureActiveDirectoryRole","primary":true}')).toEqual({
      value: 'Admin',
      type: 'WindowsAzureActiveDirectoryRole',
      primary: true,
    });
  });

  it.each([
    { value: 'Admin' },
    { value: '{not json' },
    { value: '{"id":"x"}' },
    { value: '["Admin"]' },
    'Admin',
    42,
  ])('leaves %j unchanged', (input) => {
    expect(decodeJsonEncodedRole(input)).toEqual(input);
  });
});

describe('defaultEmailType (field-reports F06f)', () => {
  it.each([
    [{ value: 'a@example.com' }, { value: 'a@example.com', type: 'work' }],
    [{ value: 'a@example.com', type: null }, { value: 'a@example.com', type: 'work' }],
    [{ value: 'a@example.com', Type: 'home' }, { value: 'a@example.com', Type: 'home' }],
    ['a@example.com', 'a@example.com'],
  ])('%j → %j', (input, expected) => {
    expect(defaultEmailType(input)).toEqual(expected);
  });
});

describe('isAbsent (RFC 7643 §2.5; entra E045, E067)', () => {
  it.each([
    [null, true],
    [undefined, true],
    ['', false],
    [0, false],
    [false, false],
    [[], false],
  ])('%j → %j', (input, expected) => {
    expect(isAbsent(input)).toBe(expected);
  });
});

describe('compatNormalisers registry', () => {
  it('names exactly the exported normalisers, each with a source and description', () => {
    const exported = Object.entries(compat)
      .filter(([, v]) => typeof v === 'function')
      .map(([k]) => k)
      .sort();
    expect(compatNormalisers.map((n) => n.name).sort()).toEqual(exported);
    for (const n of compatNormalisers) {
      expect(n.source.length).toBeGreaterThan(10);
      expect(n.description.length).toBeGreaterThan(20);
    }
  });
});
