/**
 * Role explanation (PRODUCT.md "Beyond the reference"): why a member has the app
 * role it has, step by step: the `roles` value received, the entry taken as
 * primary and why, the normalised label, the mapping that matched, or why none
 * did, naming near-misses between the received value and each mapping (letter
 * case, surrounding or inner whitespace, invisible characters, Unicode
 * look-alikes, a JSON-encoded value), and the role that results.
 *
 * Pure: the caller loads the member's stored `roles`, its stored role and the
 * org's mappings and default role. Resolution itself is `resolveRole` /
 * `choosePrimary` (role-resolution.ts); this module only explains it, so the two
 * cannot disagree.
 */
import type { RoleSource } from '../db/schema.js';
import { normalizeRoleValue } from '../tenants/role-mappings.js';
import { choosePrimary, resolveRole } from './role-resolution.js';

/** A mapping as the explanation needs it (`idpRoleValue` as stored: normalised). */
export interface MappingForExplanation {
  id: string;
  idpRoleValue: string;
  role: string;
}

/** How a received value and a mapping value differ. */
export type NearMissKind = 'case' | 'surrounding-whitespace' | 'inner-whitespace' | 'invisible-characters' | 'look-alike-characters' | 'json-encoded';

/** One way a value differs from a mapping value. */
export interface Difference {
  kind: NearMissKind;
  /** True for differences resolution already ignores (letter case, surrounding whitespace). */
  ignoredByMatching: boolean;
  /** Which value has the odd characters: the received one, the mapping's, or both. */
  side: 'received' | 'mapping' | 'both';
  /** For a person: what exactly differs, with code points and positions (1-based, in characters). */
  detail: string;
}

/** A mapping the received value would have matched but for some characters. */
export interface NearMiss {
  mappingId: string;
  idpRoleValue: string;
  /** `idpRoleValue` with every character outside printable ASCII as `\uXXXX`. */
  idpRoleValueEscaped: string;
  role: string;
  kinds: NearMissKind[];
  differences: Difference[];
  message: string;
}

export type ResolvedSource = 'mapping' | 'default' | 'none';

export interface RoleExplanation {
  /** The member's `roles` as stored (every entry), or null when the record has none. */
  received: unknown[] | null;
  /** The entry resolution took (step 1), or null when there is none. */
  primary: {
    index: number;
    entry: Record<string, unknown>;
    /** Its `value` as text, or null when it has none. */
    value: string | null;
    valueEscaped: string | null;
    /** `primary: true`, `primary: "True" string` or `no entry marked primary: the first`. */
    reason: string;
  } | null;
  /** The value trimmed and lower-cased (step 2), or null. */
  normalized: string | null;
  normalizedEscaped: string | null;
  /** The mapping that matches (step 3), with differences matching ignored, or null. */
  matchedMapping: (MappingForExplanation & { differences: Difference[] }) | null;
  /** Why no mapping matched, or null when one did. */
  noMatchReason: string | null;
  nearMisses: NearMiss[];
  /** Other observations worth acting on (another entry would match; an app role of that name has no mapping). */
  hints: string[];
  /** What resolution gives with the current mappings and default role. */
  resolved: { role: string | null; source: ResolvedSource };
  /** The role the member has (stored at provisioning time or set by an admin), and where it came from. */
  role: { name: string | null; source: RoleSource['kind'] | null; detail: RoleSource | null };
  /** True when the stored role differs from what the current settings would give (mappings changed since, or a manual role). */
  differsFromCurrentSettings: boolean;
  /** Why it differs, and what happens next; null when it does not. */
  differenceNote: string | null;
  /** The whole explanation in one or two sentences. */
  summary: string;
}

export interface ExplainInput {
  /** The member's stored `roles` attribute (doc.roles). */
  roles: unknown;
  mappings: readonly MappingForExplanation[];
  defaultRole: string | null;
  /** The stored `app_role` and `app_role_source`. */
  stored: { role: string | null; source: RoleSource | null };
}

// ---------------------------------------------------------------------------
// Characters

/** Characters that render as nothing: zero-width, joiners, soft hyphen, bidi marks, BOM, variation selectors, … */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u;
const INVISIBLE_ALL = /\p{Default_Ignorable_Code_Point}/gu;
/** Whitespace of every kind (JavaScript's `\s` is Unicode-aware: tab, NBSP, U+2000–U+200A, ideographic space, …) plus NEL. */
const SPACE_RUN = /[\s\u0085]+/gu;

const NAMES: Record<number, string> = {
  0x09: 'CHARACTER TABULATION (tab)',
  0x0a: 'LINE FEED',
  0x0d: 'CARRIAGE RETURN',
  0x20: 'SPACE',
  0x85: 'NEXT LINE',
  0xa0: 'NO-BREAK SPACE',
  0xad: 'SOFT HYPHEN',
  0x34f: 'COMBINING GRAPHEME JOINER',
  0x61c: 'ARABIC LETTER MARK',
  0x180e: 'MONGOLIAN VOWEL SEPARATOR',
  0x2000: 'EN QUAD',
  0x2001: 'EM QUAD',
  0x2002: 'EN SPACE',
  0x2003: 'EM SPACE',
  0x2007: 'FIGURE SPACE',
  0x2009: 'THIN SPACE',
  0x200a: 'HAIR SPACE',
  0x200b: 'ZERO WIDTH SPACE',
  0x200c: 'ZERO WIDTH NON-JOINER',
  0x200d: 'ZERO WIDTH JOINER',
  0x200e: 'LEFT-TO-RIGHT MARK',
  0x200f: 'RIGHT-TO-LEFT MARK',
  0x202a: 'LEFT-TO-RIGHT EMBEDDING',
  0x202b: 'RIGHT-TO-LEFT EMBEDDING',
  0x202c: 'POP DIRECTIONAL FORMATTING',
  0x202d: 'LEFT-TO-RIGHT OVERRIDE',
  0x202e: 'RIGHT-TO-LEFT OVERRIDE',
  0x202f: 'NARROW NO-BREAK SPACE',
  0x205f: 'MEDIUM MATHEMATICAL SPACE',
  0x2060: 'WORD JOINER',
  0x2066: 'LEFT-TO-RIGHT ISOLATE',
  0x2067: 'RIGHT-TO-LEFT ISOLATE',
  0x2068: 'FIRST STRONG ISOLATE',
  0x2069: 'POP DIRECTIONAL ISOLATE',
  0x3000: 'IDEOGRAPHIC SPACE',
  0xfeff: 'ZERO WIDTH NO-BREAK SPACE (byte order mark)',
};

const hex = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
const describeChar = (ch: string) => {
  const cp = ch.codePointAt(0)!;
  return NAMES[cp] ? `${hex(cp)} ${NAMES[cp]}` : hex(cp);
};

/** `s` with every character outside printable ASCII written as `\uXXXX` (`\u{XXXXX}` beyond the BMP), so invisible and look-alike characters show. */
export function escapeForDisplay(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0x20 && cp <= 0x7e && ch !== '\\') out += ch;
    else if (ch === '\\') out += '\\\\';
    else out += cp > 0xffff ? `\\u{${cp.toString(16).toUpperCase()}}` : `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return out;
}

/**
 * Look-alikes NFKC leaves alone: Cyrillic, Greek and Armenian letters (and a few
 * Latin ones) that render like a basic Latin letter. Both letter cases, because
 * folding happens before lower-casing (Greek capital Nu looks like N, small nu like v).
 */
const CONFUSABLES: Record<string, string> = {
  // Cyrillic
  А: 'A', а: 'a', В: 'B', Е: 'E', е: 'e', І: 'I', і: 'i', Ј: 'J', ј: 'j', К: 'K', к: 'k', М: 'M', Н: 'H', О: 'O', о: 'o',
  Р: 'P', р: 'p', С: 'C', с: 'c', Т: 'T', У: 'Y', у: 'y', Х: 'X', х: 'x', Ѕ: 'S', ѕ: 's', ԁ: 'd', Ԛ: 'Q', ԛ: 'q', Ԝ: 'W',
  ԝ: 'w', Ӏ: 'I', ӏ: 'l', Ү: 'Y', ү: 'y', Һ: 'H', һ: 'h',
  // Greek
  Α: 'A', α: 'a', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', ι: 'i', Κ: 'K', κ: 'k', Μ: 'M', Ν: 'N', ν: 'v', Ο: 'O', ο: 'o',
  Ρ: 'P', ρ: 'p', Τ: 'T', Υ: 'Y', υ: 'u', Χ: 'X', χ: 'x', Ϲ: 'C', ϲ: 'c', ϳ: 'j',
  // Armenian
  օ: 'o', ս: 'u', հ: 'h', ո: 'n', ց: 'g',
  // Latin letters that pass for others
  ı: 'i', ɑ: 'a', ɡ: 'g', ɩ: 'i', İ: 'I', ʏ: 'y',
};

const SCRIPTS: [RegExp, string][] = [
  [/\p{Script=Cyrillic}/u, 'Cyrillic'],
  [/\p{Script=Greek}/u, 'Greek'],
  [/\p{Script=Armenian}/u, 'Armenian'],
  [/\p{Script=Latin}/u, 'Latin'],
];

/** NFKC (fullwidth forms, ligatures, styled letters) then the confusables map, character by character. */
function foldLookalikes(s: string): string {
  let out = '';
  for (const ch of s.normalize('NFKC')) out += CONFUSABLES[ch] ?? ch;
  return out;
}

/** What a single character looks like, when it is a look-alike of something else; else undefined. */
function lookalikeOf(ch: string): { looksLike: string; why: string } | undefined {
  if (INVISIBLE.test(ch) || /[\s\u0085]/u.test(ch)) return undefined;
  const nfkc = ch.normalize('NFKC');
  const folded = foldLookalikes(ch);
  if (folded === ch) return undefined;
  const cp = ch.codePointAt(0)!;
  if (nfkc !== ch) {
    const why = cp >= 0xff01 && cp <= 0xff5e ? 'a fullwidth form' : 'a compatibility form';
    return { looksLike: folded, why };
  }
  const script = SCRIPTS.find(([re]) => re.test(ch))?.[1];
  return { looksLike: folded, why: script ? `a ${script} letter` : 'a look-alike character' };
}

// ---------------------------------------------------------------------------
// Near-misses

interface Scan {
  invisible: string[];
  innerSpace: string[];
  lookalike: string[];
}

/** Lists, with 1-based positions in `raw`, the invisible, inner-whitespace and look-alike characters of a value. */
function scan(raw: string): Scan {
  const chars = [...raw];
  const out: Scan = { invisible: [], innerSpace: [], lookalike: [] };
  // Inner = between the first and last character that is neither whitespace nor invisible.
  const solid = (ch: string) => !/[\s\u0085]/u.test(ch) && !INVISIBLE.test(ch);
  const firstSolid = chars.findIndex(solid);
  let lastSolid = -1;
  for (let i = chars.length - 1; i >= 0; i--) {
    if (solid(chars[i]!)) {
      lastSolid = i;
      break;
    }
  }
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (INVISIBLE.test(ch)) {
      out.invisible.push(`${describeChar(ch)} at position ${i + 1}`);
      continue;
    }
    if (/[\s\u0085]/u.test(ch)) {
      if (i <= firstSolid || i >= lastSolid) continue;
      // A run of whitespace: report it once, unless it is one plain space.
      let j = i;
      while (j + 1 < chars.length && /[\s\u0085]/u.test(chars[j + 1]!)) j++;
      const run = chars.slice(i, j + 1);
      if (!(run.length === 1 && run[0] === ' ')) {
        const plainSpaces = run.every((c) => c === ' ');
        out.innerSpace.push(plainSpaces ? `${run.length} spaces in a row at position ${i + 1}` : `${run.map(describeChar).join(' + ')} at position ${i + 1}`);
      }
      i = j;
      continue;
    }
    const look = lookalikeOf(ch);
    if (look) out.lookalike.push(`"${ch}" (${hex(ch.codePointAt(0)!)}, ${look.why}) at position ${i + 1} looks like "${look.looksLike}"`);
  }
  return out;
}

/** Full folding: trimmed, invisible characters dropped, whitespace runs as one space, look-alikes folded, lower-cased. */
function fold(s: string): string {
  return foldLookalikes(s.replace(INVISIBLE_ALL, '').replace(SPACE_RUN, ' ').trim()).toLowerCase().trim();
}

const sideOf = (r: boolean, m: boolean): Difference['side'] => (r && m ? 'both' : r ? 'received' : 'mapping');

/**
 * How `received` differs from the (normalised) mapping value `mapping`, when
 * the two are the same after folding every kind of near-miss; else undefined.
 * Exposed for the table-driven tests.
 */
export function compareToMapping(received: string, mapping: string): Difference[] | undefined {
  const direct = differences(received, mapping);
  if (direct) return direct;
  for (const inner of jsonCandidates(received)) {
    const d = differences(inner, mapping);
    if (d) {
      return [
        { kind: 'json-encoded', ignoredByMatching: false, side: 'received', detail: `the received value is JSON text; decoded, it holds "${escapeForDisplay(inner)}"` },
        ...d,
      ];
    }
  }
  return undefined;
}

function differences(received: string, mapping: string): Difference[] | undefined {
  if (fold(received) !== fold(mapping) || fold(received) === '') return undefined;
  const out: Difference[] = [];
  const r = scan(received);
  const m = scan(mapping);
  const trimmed = received.trim();
  if (trimmed !== received) {
    out.push({ kind: 'surrounding-whitespace', ignoredByMatching: true, side: 'received', detail: `the received value has whitespace around it (${[...received].length - [...trimmed].length} character(s)); matching trims it` });
  }
  if (r.innerSpace.length || m.innerSpace.length) {
    out.push({
      kind: 'inner-whitespace',
      ignoredByMatching: false,
      side: sideOf(r.innerSpace.length > 0, m.innerSpace.length > 0),
      detail: [r.innerSpace.length ? `received: ${r.innerSpace.join(', ')}` : '', m.innerSpace.length ? `mapping: ${m.innerSpace.join(', ')}` : ''].filter(Boolean).join('; '),
    });
  }
  if (r.invisible.length || m.invisible.length) {
    out.push({
      kind: 'invisible-characters',
      ignoredByMatching: false,
      side: sideOf(r.invisible.length > 0, m.invisible.length > 0),
      detail: [r.invisible.length ? `received: ${r.invisible.join(', ')}` : '', m.invisible.length ? `mapping: ${m.invisible.join(', ')}` : ''].filter(Boolean).join('; '),
    });
  }
  if (r.lookalike.length || m.lookalike.length) {
    out.push({
      kind: 'look-alike-characters',
      ignoredByMatching: false,
      side: sideOf(r.lookalike.length > 0, m.lookalike.length > 0),
      detail: [r.lookalike.length ? `received: ${r.lookalike.join(', ')}` : '', m.lookalike.length ? `mapping: ${m.lookalike.join(', ')}` : ''].filter(Boolean).join('; '),
    });
  }
  // Letter case: compare with everything else folded away except case.
  const bare = (s: string) => foldLookalikes(s.replace(INVISIBLE_ALL, '').replace(SPACE_RUN, ' ').trim());
  if (bare(received) !== bare(received).toLowerCase()) {
    out.push({ kind: 'case', ignoredByMatching: true, side: 'received', detail: `the received value differs in letter case ("${escapeForDisplay(trimmed)}"); matching lower-cases it` });
  }
  return out;
}

/** Strings inside a value that is JSON text: a JSON string, or an object's value/display/displayName/name, or those of an array's elements. */
function jsonCandidates(received: string): string[] {
  const t = received.trim();
  if (!/^["{[]/.test(t)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(t);
  } catch {
    return [];
  }
  const out: string[] = [];
  const visit = (v: unknown, depth: number) => {
    if (depth > 3) return;
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach((x) => visit(x, depth + 1));
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) if (['value', 'display', 'displayname', 'name'].includes(k.toLowerCase())) visit(x, depth + 1);
    }
  };
  visit(parsed, 0);
  return out.filter((s) => s.trim() !== '');
}

const KIND_WORDS: Record<NearMissKind, string> = {
  case: 'letter case',
  'surrounding-whitespace': 'surrounding whitespace',
  'inner-whitespace': 'inner whitespace',
  'invisible-characters': 'invisible characters',
  'look-alike-characters': 'look-alike characters',
  'json-encoded': 'JSON encoding',
};

/** Every mapping the received value nearly matches, with how. */
export function findNearMisses(received: string, mappings: readonly MappingForExplanation[]): NearMiss[] {
  const out: NearMiss[] = [];
  for (const m of mappings) {
    if (normalizeRoleValue(received) === m.idpRoleValue) continue;
    const diffs = compareToMapping(received, m.idpRoleValue);
    if (!diffs) continue;
    const blocking = diffs.filter((d) => !d.ignoredByMatching);
    const kinds = diffs.map((d) => d.kind);
    out.push({
      mappingId: m.id,
      idpRoleValue: m.idpRoleValue,
      idpRoleValueEscaped: escapeForDisplay(m.idpRoleValue),
      role: m.role,
      kinds,
      differences: diffs,
      message: `"${escapeForDisplay(received)}" would match the mapping "${escapeForDisplay(m.idpRoleValue)}" (→ ${m.role}) but for ${blocking.map((d) => KIND_WORDS[d.kind]).join(' and ')}: ${blocking.map((d) => d.detail).join('; ')}`,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------
// The explanation

const primaryReason = (p: unknown, chosenBy: 'primary' | 'first'): string =>
  chosenBy === 'first' ? 'no entry marked primary: the first' : p === true ? 'primary: true' : `primary: ${JSON.stringify(p)} string`;

const quote = (s: string | null) => (s === null ? 'none' : `"${s}"`);

/** Explains a member's app role. See the module comment. */
export function explainRole(input: ExplainInput): RoleExplanation {
  const { roles, mappings, defaultRole, stored } = input;
  const received = Array.isArray(roles) ? roles : null;
  const table = new Map(mappings.map((m) => [normalizeRoleValue(m.idpRoleValue), m.role]));
  const current = resolveRole(roles, table, defaultRole);
  const choice = choosePrimary(roles);
  const value = choice?.received ?? null;
  const normalized = value === null ? null : normalizeRoleValue(value);
  const matched = current.source.kind === 'mapping' ? mappings.find((m) => normalizeRoleValue(m.idpRoleValue) === normalized) : undefined;
  const hints: string[] = [];

  let noMatchReason: string | null = null;
  let nearMisses: NearMiss[] = [];
  if (!matched) {
    if (received === null || received.length === 0) noMatchReason = 'The member\'s record has no roles, so there is nothing to match.';
    else if (!choice) noMatchReason = 'The roles list has no entry that is an object with a value.';
    else if (value === null) noMatchReason = `The entry taken (index ${choice.index}) has no value.`;
    else {
      nearMisses = findNearMisses(value, mappings);
      if (!mappings.length) noMatchReason = `The organisation has no role mappings, so "${escapeForDisplay(normalized!)}" matches nothing.`;
      else if (nearMisses.length) noMatchReason = `No mapping is exactly "${escapeForDisplay(normalized!)}". ${nearMisses.map((n) => n.message).join('. ')}.`;
      else {
        const shown = mappings.slice(0, 20).map((m) => `"${escapeForDisplay(m.idpRoleValue)}"`).join(', ');
        noMatchReason = `No mapping is "${escapeForDisplay(normalized!)}", nor close to it; the mappings are ${shown}${mappings.length > 20 ? ` and ${mappings.length - 20} more` : ''}.`;
      }
    }
    // Another entry would have matched: only the primary (else first) counts.
    if (received && choice) {
      received.forEach((e, i) => {
        if (i === choice.index || !e || typeof e !== 'object') return;
        const v = (e as Record<string, unknown>).value;
        if (typeof v === 'string' && table.has(normalizeRoleValue(v))) {
          hints.push(`Entry ${i} ("${escapeForDisplay(v)}") would match the mapping "${normalizeRoleValue(v)}" (→ ${table.get(normalizeRoleValue(v))}), but only the ${choice.chosenBy === 'primary' ? 'primary entry' : 'first entry (none is marked primary)'} counts.`);
        }
      });
    }
  }

  const storedKind = stored.source?.kind ?? null;
  const differs = stored.role !== current.role || (storedKind !== null && storedKind !== current.source.kind);
  let differenceNote: string | null = null;
  if (storedKind === 'manual') {
    const by = stored.source?.setBy ? ` by ${stored.source.setBy}` : '';
    differenceNote = `An admin set ${quote(stored.role)}${by}. It stays until the IdP sends a change of roles; then resolution gives ${quote(current.role)} (${current.source.kind}) with the current settings.`;
  } else if (differs) {
    differenceNote = `The stored role ${quote(stored.role)} (${storedKind ?? 'not resolved'}) was resolved when the record last changed; with the current mappings and default role it would be ${quote(current.role)} (${current.source.kind}). Members are re-resolved only when the IdP changes their record (Provision on demand does it at once).`;
  }

  const via =
    current.source.kind === 'mapping'
      ? `matches the mapping "${matched!.idpRoleValue}" → ${current.role}`
      : current.source.kind === 'default'
        ? `matches no mapping, so the default role "${current.role}" applies`
        : 'matches no mapping and there is no default role, so no role';
  const got = value === null ? `No role value was received; ${current.source.kind === 'default' ? `the default role "${current.role}" applies` : 'there is no default role, so no role'}` : `Received "${escapeForDisplay(value)}" (${primaryReason(choice!.entry.primary, choice!.chosenBy)}); normalised "${escapeForDisplay(normalized!)}" ${via}`;
  const miss = nearMisses.length ? ` Near miss: ${nearMisses.map((n) => `"${escapeForDisplay(n.idpRoleValue)}" (${n.kinds.filter((k) => k !== 'case' && k !== 'surrounding-whitespace').map((k) => KIND_WORDS[k]).join(', ')})`).join('; ')}.` : '';
  const summary = `${got}.${miss}${storedKind === 'manual' ? ` The member's role is ${quote(stored.role)}, set by an admin.` : differs ? ` The stored role is ${quote(stored.role)} (${storedKind ?? 'not resolved'}), from before the settings changed.` : ''}`;

  return {
    received,
    primary: choice
      ? { index: choice.index, entry: choice.entry, value, valueEscaped: value === null ? null : escapeForDisplay(value), reason: primaryReason(choice.entry.primary, choice.chosenBy) }
      : null,
    normalized,
    normalizedEscaped: normalized === null ? null : escapeForDisplay(normalized),
    matchedMapping: matched ? { ...matched, differences: differences(value!, matched.idpRoleValue) ?? [] } : null,
    noMatchReason,
    nearMisses,
    hints,
    resolved: { role: current.role, source: current.source.kind as ResolvedSource },
    role: { name: stored.role, source: storedKind, detail: stored.source },
    differsFromCurrentSettings: differs,
    differenceNote,
    summary,
  };
}
