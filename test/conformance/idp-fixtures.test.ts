/**
 * Replays the recorded IdP flows of test/fixtures/idp/{entra,okta}/*.json (format:
 * test/fixtures/idp/README.md) against the in-process app, on every test dialect.
 * Each file runs in order against a fresh org with group sync on; each step is
 * one case, so a failure names the IdP, the flow and the step.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, testOrg, type TestApp, type TestOrg } from '../support/app.js';
import { dialects } from '../support/db.js';

const FIXTURE_DIR = new URL('../fixtures/idp/', import.meta.url);
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
type Method = (typeof METHODS)[number];

interface Expectation {
  status: number | number[];
  body?: unknown;
  absent?: string[];
  headers?: Record<string, string>;
}

interface Step {
  name: string;
  source?: string;
  method: Method;
  path: string;
  body?: unknown;
  expect: Expectation;
  capture?: Record<string, string>;
}

interface Fixture {
  idp: 'entra' | 'okta';
  flow: string;
  description: string;
  source: { url: string; section: string }[];
  steps: Step[];
}

// ---------------------------------------------------------------------------
// Loading and checking the fixture files (a typo in a fixture fails loudly).

function check(cond: unknown, file: string, what: string): asserts cond {
  if (!cond) throw new Error(`test/fixtures/idp/${file}: ${what}`);
}

function onlyKeys(obj: object, allowed: string[], file: string, where: string): void {
  for (const k of Object.keys(obj)) check(allowed.includes(k), file, `${where}: unknown key "${k}" (allowed: ${allowed.join(', ')})`);
}

const isPointer = (p: unknown): p is string => typeof p === 'string' && (p === '' || p.startsWith('/'));

function validate(file: string, data: unknown): Fixture {
  check(data && typeof data === 'object' && !Array.isArray(data), file, 'the file must hold a JSON object');
  const f = data as Record<string, unknown>;
  onlyKeys(f, ['idp', 'flow', 'description', 'source', 'steps'], file, 'top level');
  check(f.idp === 'entra' || f.idp === 'okta', file, '"idp" must be "entra" or "okta"');
  check(file === `${f.idp}/${f.flow}.json`, file, `"idp"/"flow" must match the file's path (${f.idp}/${f.flow}.json)`);
  check(typeof f.description === 'string' && f.description !== '', file, '"description" is required');
  check(Array.isArray(f.source) && f.source.length > 0, file, '"source" must be a non-empty array');
  for (const s of f.source as Record<string, unknown>[]) {
    check(typeof s?.url === 'string' && /^https:\/\//.test(s.url) && typeof s.section === 'string', file, 'each "source" needs an https "url" and a "section"');
  }
  check(Array.isArray(f.steps) && f.steps.length > 0, file, '"steps" must be a non-empty array');
  const names = new Set<string>();
  for (const [i, raw] of (f.steps as unknown[]).entries()) {
    const where = `step ${i + 1}`;
    check(raw && typeof raw === 'object', file, `${where} must be an object`);
    const s = raw as Record<string, unknown>;
    onlyKeys(s, ['name', 'source', 'method', 'path', 'body', 'expect', 'capture'], file, where);
    check(typeof s.name === 'string' && s.name !== '' && !names.has(s.name), file, `${where}: "name" must be a unique non-empty string`);
    names.add(s.name);
    check(s.source === undefined || typeof s.source === 'string', file, `${where}: "source" must be a string`);
    check(METHODS.includes(s.method as Method), file, `${where}: "method" must be one of ${METHODS.join(', ')}`);
    check(typeof s.path === 'string' && s.path.startsWith('/'), file, `${where}: "path" must start with "/"`);
    const e = s.expect as Record<string, unknown> | undefined;
    check(e && typeof e === 'object', file, `${where}: "expect" is required`);
    onlyKeys(e, ['status', 'body', 'absent', 'headers'], file, `${where} expect`);
    const statuses = Array.isArray(e.status) ? e.status : [e.status];
    check(statuses.length > 0 && statuses.every((n) => Number.isInteger(n)), file, `${where}: "expect.status" must be a status or an array of statuses`);
    check(e.absent === undefined || (Array.isArray(e.absent) && e.absent.every(isPointer)), file, `${where}: "expect.absent" must list JSON pointers`);
    check(e.headers === undefined || (typeof e.headers === 'object' && Object.values(e.headers as object).every((v) => typeof v === 'string')), file, `${where}: "expect.headers" maps names to substrings`);
    check(s.capture === undefined || (typeof s.capture === 'object' && Object.values(s.capture as object).every(isPointer)), file, `${where}: "capture" maps names to JSON pointers`);
  }
  return f as unknown as Fixture;
}

function loadFixtures(): { file: string; fixture: Fixture }[] {
  const out: { file: string; fixture: Fixture }[] = [];
  for (const idp of readdirSync(FIXTURE_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    for (const name of readdirSync(new URL(`${idp}/`, FIXTURE_DIR)).filter((n) => n.endsWith('.json')).sort()) {
      const file = `${idp}/${name}`;
      let data: unknown;
      try {
        data = JSON.parse(readFileSync(new URL(file, FIXTURE_DIR), 'utf8'));
      } catch (err) {
        throw new Error(`test/fixtures/idp/${file}: not valid JSON: ${(err as Error).message}`);
      }
      out.push({ file, fixture: validate(file, data) });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Placeholders.

/** The variables of one run of one file. */
class RunVars {
  readonly run = randomBytes(4).toString('hex');
  private readonly uuids = new Map<string, string>();
  readonly captured = new Map<string, unknown>();

  get(name: string): unknown {
    if (name === 'run') return this.run;
    if (name.startsWith('uuid:')) {
      if (!this.uuids.has(name)) this.uuids.set(name, randomUUID());
      return this.uuids.get(name);
    }
    if (!this.captured.has(name)) throw new Error(`{{${name}}} has no value: the step that captures it failed or has not run`);
    return this.captured.get(name);
  }
}

const PLACEHOLDER = /\{\{([^{}]+)\}\}/g;
const WHOLE_PLACEHOLDER = /^\{\{([^{}]+)\}\}$/;

function substString(s: string, vars: RunVars, encode: boolean): unknown {
  const whole = WHOLE_PLACEHOLDER.exec(s);
  if (whole && !encode) return vars.get(whole[1]);
  return s.replace(PLACEHOLDER, (_, name: string) => {
    const v = vars.get(name);
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    return encode ? encodeURIComponent(text) : text;
  });
}

function subst(value: unknown, vars: RunVars): unknown {
  if (typeof value === 'string') return substString(value, vars, false);
  if (Array.isArray(value)) return value.map((v) => subst(v, vars));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [String(substString(k, vars, false)), subst(v, vars)]));
  }
  return value;
}

// ---------------------------------------------------------------------------
// Matching: toMatchObject, plus the `$unordered` and `$contains` array forms.

interface AsymmetricMatcher {
  $$typeof: symbol;
  asymmetricMatch(actual: unknown): boolean;
  toString(): string;
  toAsymmetricMatcher(): string;
  toJSON(): unknown;
}

const isMatcher = (v: unknown): v is AsymmetricMatcher => !!v && typeof v === 'object' && typeof (v as AsymmetricMatcher).asymmetricMatch === 'function';
const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** toMatchObject semantics on JSON values: subsets for objects, same length for arrays. */
function matches(actual: unknown, expected: unknown): boolean {
  if (isMatcher(expected)) return expected.asymmetricMatch(actual);
  if (Array.isArray(expected)) return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => matches(actual[i], e));
  if (isPlainObject(expected)) return isPlainObject(actual) && Object.keys(expected).every((k) => Object.hasOwn(actual, k) && matches(actual[k], expected[k]));
  return Object.is(actual, expected);
}

/** Whether each expected subset can be given its own element of `actual` (backtracking; arrays here are short). */
function assignable(actual: unknown[], expected: unknown[]): boolean {
  const used = new Array<boolean>(actual.length).fill(false);
  const place = (i: number): boolean => {
    if (i === expected.length) return true;
    for (let j = 0; j < actual.length; j++) {
      if (used[j] || !matches(actual[j], expected[i])) continue;
      used[j] = true;
      if (place(i + 1)) return true;
      used[j] = false;
    }
    return false;
  };
  return place(0);
}

function arrayMatcher(kind: '$unordered' | '$contains', raw: unknown[], items: unknown[]): AsymmetricMatcher {
  const label = kind === '$unordered' ? 'Unordered' : 'Contains';
  return {
    $$typeof: Symbol.for('jest.asymmetricMatcher'),
    asymmetricMatch: (actual) =>
      Array.isArray(actual) &&
      (kind === '$unordered' ? actual.length === items.length && assignable(actual, items) : items.every((e) => actual.some((a) => matches(a, e)))),
    toString: () => label,
    toAsymmetricMatcher: () => `${label} ${JSON.stringify(raw)}`,
    toJSON: () => ({ [kind]: raw }),
  };
}

/** Turns `{"$unordered": [...]}` / `{"$contains": [...]}` into matchers, recursively. */
function toExpected(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toExpected);
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === '$unordered' || keys[0] === '$contains')) {
      const raw = value[keys[0]];
      if (!Array.isArray(raw)) throw new Error(`${keys[0]} takes an array`);
      return arrayMatcher(keys[0], raw, raw.map(toExpected));
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toExpected(v)]));
  }
  return value;
}

/** RFC 6901. */
function resolve(doc: unknown, pointer: string): { found: boolean; value?: unknown } {
  if (pointer === '') return { found: doc !== undefined, value: doc };
  let cur = doc;
  for (const token of pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))) {
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9]\d*)$/.test(token) || Number(token) >= cur.length) return { found: false };
      cur = cur[Number(token)];
    } else if (isPlainObject(cur)) {
      if (!Object.hasOwn(cur, token)) return { found: false };
      cur = cur[token];
    } else {
      return { found: false };
    }
  }
  return { found: true, value: cur };
}

// ---------------------------------------------------------------------------
// Running one step.

async function runStep(org: TestOrg, vars: RunVars, step: Step): Promise<void> {
  const path = String(substString(step.path, vars, true));
  const body = step.body === undefined ? undefined : subst(step.body, vars);
  const res = await org.scim(step.method, path, body);
  const said = `${step.method} ${path} answered ${res.status} ${res.body === undefined ? '(no body)' : JSON.stringify(res.body)}`;

  const allowed = Array.isArray(step.expect.status) ? step.expect.status : [step.expect.status];
  expect(allowed, `status: ${said}`).toContain(res.status);
  // Captured before the other checks, so one wrong detail does not fail every later step.
  for (const [name, pointer] of Object.entries(step.capture ?? {})) {
    const r = resolve(res.body, pointer);
    expect(r.found && r.value !== undefined && r.value !== null, `capture ${name} from "${pointer}": ${said}`).toBe(true);
    vars.captured.set(name, r.value);
  }

  if (step.expect.body !== undefined && res.status !== 204) {
    expect(res.body, `body: ${said}`).toMatchObject(toExpected(subst(step.expect.body, vars)) as object);
  }
  for (const pointer of step.expect.absent ?? []) {
    const r = resolve(res.body, String(substString(pointer, vars, false)));
    expect(r.found && r.value !== null, `"${pointer}" should be absent, but is ${JSON.stringify(r.value)}: ${said}`).toBe(false);
  }
  for (const [name, sub] of Object.entries(step.expect.headers ?? {})) {
    const v = res.headers[name.toLowerCase()];
    const text = v === undefined ? undefined : Array.isArray(v) ? v.join(', ') : String(v);
    expect(text, `header ${name}: ${said}`).toContain(String(substString(sub, vars, false)));
  }
}

// ---------------------------------------------------------------------------

const FIXTURES = loadFixtures();

describe.each(dialects())('IdP fixtures on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(dialect);
  });
  afterAll(() => t?.app.close());

  it('finds the Entra and Okta fixtures', () => {
    expect(FIXTURES.map((f) => f.fixture.idp)).toEqual(expect.arrayContaining(['entra', 'okta']));
  });

  for (const { file, fixture } of FIXTURES) {
    describe(file, () => {
      let org: TestOrg;
      const vars = new RunVars();
      beforeAll(async () => {
        org = await testOrg(t, { syncGroups: true });
      });
      fixture.steps.forEach((step, i) => {
        it(`${i + 1}. ${step.name}`, () => runStep(org, vars, step));
      });
    });
  }
});
