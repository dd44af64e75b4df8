/** The admin API's shapes, as docs/admin-api.md and /api/v1/openapi.json describe them. */

export interface Org {
  id: string;
  slug: string;
  name: string;
}

export interface Session {
  admin: { id: string; email: string; org: Org };
  csrfToken: string;
  expiresAt: string;
}

export interface ScimSettings {
  enabled: boolean;
  syncGroups: boolean;
  defaultRole: string | null;
  baseUrl: string;
}

export interface Overview {
  baseUrl: string;
  status: 'enabled' | 'disabled' | 'never-enabled';
  enabled: boolean;
  syncGroups: boolean;
  defaultRole: string | null;
  lastRequestAt: string | null;
  members: { total: number; active: number };
  groups: number;
  activeTokens: number;
  failuresLast24h: number;
  activityRetentionDays: number;
}

export interface Token {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  status: 'active' | 'expired' | 'revoked';
}

export interface IssuedToken extends Token {
  token: string;
}

export interface Role {
  name: string;
  isDefault: boolean;
  mappingCount: number;
  memberCount: number;
  createdAt: string;
}

export interface RoleMapping {
  id: string;
  idpRoleValue: string;
  normalizedValue: string;
  role: string;
}

export type RoleSourceKind = 'mapping' | 'default' | 'none' | 'manual';

export interface Member {
  id: string;
  userName: string;
  name: string | null;
  displayName: string | null;
  email: string | null;
  active: boolean;
  role: string | null;
  roleSource: RoleSourceKind | null;
  groups: { id: string; displayName: string }[];
  createdAt: string;
  updatedAt: string;
}

export interface MemberDetail extends Member {
  roleSourceDetail: {
    kind: RoleSourceKind;
    received?: string | null;
    chosenBy?: 'primary' | 'first';
    normalized?: string | null;
    setBy?: string;
    setAt?: string;
  } | null;
  scim: Record<string, unknown>;
}

export interface RoleDifference {
  kind: string;
  ignoredByMatching: boolean;
  side: 'received' | 'mapping' | 'both';
  detail: string;
}

export interface RoleExplanation {
  memberId: string;
  userName: string;
  received: unknown[] | null;
  primary: { index: number; entry: Record<string, unknown>; value: string | null; valueEscaped: string | null; reason: string } | null;
  normalized: string | null;
  normalizedEscaped: string | null;
  matchedMapping: { id: string; idpRoleValue: string; role: string; differences: RoleDifference[] } | null;
  noMatchReason: string | null;
  nearMisses: { mappingId: string; idpRoleValue: string; idpRoleValueEscaped: string; role: string; kinds: string[]; differences: RoleDifference[]; message: string }[];
  hints: string[];
  resolved: { role: string | null; source: 'mapping' | 'default' | 'none' };
  role: { name: string | null; source: RoleSourceKind | null };
  differsFromCurrentSettings: boolean;
  differenceNote: string | null;
  summary: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  nextCursor: string | null;
  page?: number;
}

export interface Group {
  id: string;
  displayName: string;
  externalId: string | null;
  memberCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface GroupMember {
  id: string;
  userName: string;
  displayName: string | null;
  email: string | null;
  active: boolean;
  role: string | null;
  roleSource: RoleSourceKind | null;
  addedAt: string;
}

export interface ActivityItem {
  id: string;
  at: string;
  source: 'scim' | 'admin';
  actor: string | null;
  method: string | null;
  path: string | null;
  operation: string;
  targetType: string | null;
  targetId: string | null;
  targetName: string | null;
  status: number;
  scimType: string | null;
  detail: string | null;
  durationMs: number | null;
  diff: {
    changes?: { path: string; before: unknown; after: unknown }[];
    membersAdded?: string[];
    membersRemoved?: string[];
    membersTruncated?: { added: number; removed: number };
    details?: Record<string, unknown>;
  } | null;
}

export interface HourBucket {
  hour: string;
  ok: number;
  clientErrors: number;
  serverErrors: number;
}
