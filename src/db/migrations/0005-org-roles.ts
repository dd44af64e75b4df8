/**
 * An org's app roles (`org_roles`; every org starts with admin, member and
 * viewer), referenced by name from role mappings, the default role and each
 * member's app role through foreign keys with ON UPDATE CASCADE, so a rename
 * reaches every reference in the same statement and no reference can dangle.
 * Role mappings get an `id` for per-item edits; group memberships an index for
 * paging a group's members in join order without reading the whole group.
 *
 * Existing data: every org gets the three defaults, and every role name already
 * used by a mapping, a default role or a member becomes a role of its org
 * (spellings that differ only in letter case are folded onto one role).
 */
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `
    create table org_roles (
      org_id uuid not null references orgs(id) on delete cascade,
      name text not null,
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      primary key (org_id, name)
    );
    -- role names are unique per org regardless of letter case
    create unique index org_roles_name_ci on org_roles (org_id, lower(name));
    insert into org_roles (org_id, name)
      select o.id, d.name from orgs o cross join (values ('admin'), ('member'), ('viewer')) as d(name)
      on conflict do nothing;
    insert into org_roles (org_id, name)
      select distinct on (org_id, lower(name)) org_id, name from (
        select org_id, role as name from role_mappings
        union all select org_id, default_role from scim_provisioning_configs where default_role is not null
        union all select org_id, app_role from scim_users where app_role is not null
      ) used order by org_id, lower(name), name
      on conflict do nothing;
    update role_mappings m set role = r.name from org_roles r
      where r.org_id = m.org_id and lower(r.name) = lower(m.role) and r.name <> m.role;
    update scim_provisioning_configs c set default_role = r.name from org_roles r
      where r.org_id = c.org_id and lower(r.name) = lower(c.default_role) and r.name <> c.default_role;
    update scim_users u set app_role = r.name from org_roles r
      where r.org_id = u.org_id and lower(r.name) = lower(u.app_role) and r.name <> u.app_role;
    alter table role_mappings add constraint role_mappings_role_fk
      foreign key (org_id, role) references org_roles (org_id, name) on update cascade;
    alter table scim_provisioning_configs add constraint scim_provisioning_configs_default_role_fk
      foreign key (org_id, default_role) references org_roles (org_id, name) on update cascade;
    create index scim_users_app_role on scim_users (org_id, app_role);
    alter table scim_users add constraint scim_users_app_role_fk
      foreign key (org_id, app_role) references org_roles (org_id, name) on update cascade;
    alter table role_mappings add column id uuid not null default gen_random_uuid();
    create unique index role_mappings_id on role_mappings (id);
    create index scim_group_members_group_order on scim_group_members (group_id, created_at, user_id)
  `);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `
    drop index scim_group_members_group_order;
    drop index role_mappings_id;
    alter table role_mappings drop column id;
    alter table scim_users drop constraint scim_users_app_role_fk;
    drop index scim_users_app_role;
    alter table scim_provisioning_configs drop constraint scim_provisioning_configs_default_role_fk;
    alter table role_mappings drop constraint role_mappings_role_fk;
    drop table org_roles
  `);
}
