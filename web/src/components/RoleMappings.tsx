/** The default role, the role mappings (add, edit, delete) and the org's app roles. */
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api';
import { differenceText, escapeInvisible, plural, roleValueProblems } from '../format';
import { useAction, useApi, type Loaded } from '../hooks';
import type { Role, RoleMapping } from '../types';
import { Badge, Card, ConfirmDialog, Dialog, EmptyState, ErrorMessage, Loading, Notice } from './ui';

export { escapeInvisible };

/** A value as matching will compare it, shown with its odd characters escaped. */
function Normalised({ value }: { value: string }) {
  const escaped = escapeInvisible(value);
  return (
    <code className="normalised" title={escaped !== value ? 'Contains characters outside printable ASCII (shown as \\uXXXX)' : undefined}>
      {escaped}
    </code>
  );
}

function MappingDialog({ base, roles, mapping, open, onClose, onSaved }: { base: string; roles: Role[]; mapping: RoleMapping | null; open: boolean; onClose(): void; onSaved(): void }) {
  const [value, setValue] = useState(mapping?.idpRoleValue ?? '');
  const [role, setRole] = useState(mapping?.role ?? '');
  const action = useAction();
  const preview = value.trim().toLowerCase();
  const problems = roleValueProblems(value);
  const onlyEnds = problems.length === 1 && problems[0] === 'surrounding-whitespace';
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = { idpRoleValue: value, role };
    const done = await action.run(() => (mapping ? api('PATCH', `${base}/role-mappings/${mapping.id}`, { body }) : api('POST', `${base}/role-mappings`, { body })));
    if (done) onSaved();
  };
  return (
    <Dialog open={open} title={mapping ? 'Edit role mapping' : 'Add a role mapping'} onClose={onClose}>
      <form onSubmit={submit} className="form">
        <div className="field">
          <label htmlFor="idp-role-value">IdP role value</label>
          <input id="idp-role-value" required maxLength={200} value={value} onChange={(e) => setValue(e.target.value)} placeholder="admin" aria-describedby={`idp-role-help idp-role-preview${problems.length ? ' idp-role-warning' : ''}`} autoFocus spellCheck={false} />
          <p id="idp-role-help" className="help">
            The role value your IdP sends in the user’s <code>roles</code> (in Entra: the App Role’s <strong>Value</strong>). Use plain lower-case words such as <code>admin</code>, <code>member</code>, <code>viewer</code>. Up to 200 characters ({value.length} used).
          </p>
          {problems.length ? (
            <p id="idp-role-warning" className={`alert ${onlyEnds ? 'alert-info' : 'alert-warning'}`} role="note">
              This value contains {problems.map(differenceText).join(', ')}: <code>{escapeInvisible(value)}</code>.{' '}
              {onlyEnds ? 'Matching trims them, so they make no difference.' : 'An IdP value that only looks the same will not match it; check it is what your IdP really sends.'}
            </p>
          ) : null}
          <p id="idp-role-preview" className="preview" aria-live="polite">
            {preview ? (
              <>
                Will match: <Normalised value={preview} /> <span className="muted">(trimmed and lower-cased, as incoming values are)</span>
              </>
            ) : (
              <span className="muted">Type a value to see what will be matched.</span>
            )}
          </p>
        </div>
        <div className="field">
          <label htmlFor="mapping-role">App role</label>
          <select id="mapping-role" required value={role} onChange={(e) => setRole(e.target.value)}>
            <option value="" disabled>
              Choose a role…
            </option>
            {roles.map((r) => (
              <option key={r.name} value={r.name}>
                {r.name}
              </option>
            ))}
          </select>
        </div>
        <ErrorMessage error={action.error} />
        <div className="dialog-footer">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={action.busy || !role}>
            {action.busy ? 'Saving…' : mapping ? 'Save mapping' : 'Add mapping'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function RoleMappingsCard({ base, roles, defaultRole, onDefaultRole, busy, onChange, notice }: { base: string; roles: Role[]; defaultRole: string | null; onDefaultRole(role: string | null): void; busy: boolean; onChange(): void; notice: string | null }) {
  const mappings = useApi<RoleMapping[]>(`${base}/role-mappings`);
  const [editing, setEditing] = useState<RoleMapping | 'new' | null>(null);
  const [deleting, setDeleting] = useState<RoleMapping | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  // One confirmation at a time: the latest, the card's own or the default role's.
  const [showNotice, setShowNotice] = useState(true);
  useEffect(() => {
    setShowNotice(true);
    setSaved(null);
  }, [notice]);
  const confirm = (text: string) => {
    setShowNotice(false);
    setSaved(text);
  };
  const del = useAction();
  const list = mappings.data ?? [];

  const removeMapping = async () => {
    if (!deleting) return;
    const ok = await del.run(() => api('DELETE', `${base}/role-mappings/${deleting.id}`).then(() => true));
    if (ok) {
      confirm(`Mapping “${escapeInvisible(deleting.idpRoleValue)}” deleted.`);
      setDeleting(null);
      mappings.reload();
      onChange();
    }
  };

  return (
    <Card
      title="Role mappings"
      id="role-mappings"
      description="When the IdP sends a user’s roles, scimd takes the entry marked primary (else the first), trims and lower-cases its value, and looks it up here. No match: the default role. No default role: no role."
      actions={
        <button type="button" className="btn btn-primary" onClick={() => setEditing('new')} disabled={roles.length === 0}>
          + Add mapping
        </button>
      }
    >
      <div className="field field-inline">
        <label htmlFor="default-role">Default role</label>
        <select id="default-role" value={defaultRole ?? ''} disabled={busy} onChange={(e) => onDefaultRole(e.target.value || null)} aria-describedby="default-role-help">
          <option value="">No default role</option>
          {roles.map((r) => (
            <option key={r.name} value={r.name}>
              {r.name}
            </option>
          ))}
        </select>
        <p id="default-role-help" className="help">
          The safety net for users whose role value matches no mapping (or who have none). Recommended.
        </p>
      </div>
      {notice && showNotice ? <Notice tone="success">{notice}</Notice> : null}
      {saved ? <Notice tone="success">{saved}</Notice> : null}
      <ErrorMessage error={mappings.error} prefix="Could not load the role mappings." />
      {mappings.loading && !mappings.data ? (
        <Loading what="Loading role mappings" />
      ) : list.length === 0 ? (
        <EmptyState title="No role mappings yet.">
          Add one for each role value your IdP will send (for example <code>admin</code> → admin, <code>member</code> → member, <code>viewer</code> → viewer). Until then every provisioned user gets the default role{defaultRole ? ` (${defaultRole})` : ', and there is none: no role'}.
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table responsive">
            <caption className="visually-hidden">Role mappings</caption>
            <thead>
              <tr>
                <th scope="col">IdP role value (compared trimmed, lower-case)</th>
                <th scope="col">App role</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((m) => (
                <tr key={m.id}>
                  <td data-label="IdP value">
                    <Normalised value={m.normalizedValue} />
                  </td>
                  <td data-label="App role">
                    <Badge tone="blue">{m.role}</Badge>
                  </td>
                  <td className="actions">
                    <button type="button" className="btn btn-small" onClick={() => setEditing(m)} aria-label={`Edit mapping ${escapeInvisible(m.idpRoleValue)}`}>
                      Edit
                    </button>
                    <button type="button" className="btn btn-small btn-danger-outline" onClick={() => setDeleting(m)} aria-label={`Delete mapping ${escapeInvisible(m.idpRoleValue)}`}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="help">Members keep their role until the IdP next changes their record; a member’s page explains which value arrived and why they have their role.</p>
      {editing ? (
        <MappingDialog
          key={editing === 'new' ? 'new' : editing.id}
          base={base}
          roles={roles}
          mapping={editing === 'new' ? null : editing}
          open
          onClose={() => setEditing(null)}
          onSaved={() => {
            confirm(editing === 'new' ? 'Mapping added.' : 'Mapping saved.');
            setEditing(null);
            mappings.reload();
            onChange();
          }}
        />
      ) : null}
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete the mapping “${escapeInvisible(deleting?.idpRoleValue ?? '')}”?`}
        confirmLabel="Delete mapping"
        danger
        busy={del.busy}
        error={del.error}
        onConfirm={removeMapping}
        onCancel={() => {
          setDeleting(null);
          del.setError(null);
        }}
      >
        <p>Users who send this value get the default role from their next update on. Members who have the role now keep it until then.</p>
      </ConfirmDialog>
    </Card>
  );
}

export function RolesCard({ base, roles, onChange }: { base: string; roles: Loaded<Role[]>; onChange(): void }) {
  const [name, setName] = useState('');
  const [renaming, setRenaming] = useState<Role | null>(null);
  const [newName, setNewName] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const add = useAction();
  const rename = useAction();
  const list = roles.data ?? [];
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await add.run(() => api<Role>('POST', `${base}/roles`, { body: { name: name.trim() } }));
    if (r) {
      setSaved(`Role “${r.name}” created.`);
      setName('');
      roles.reload();
      onChange();
    }
  };
  const submitRename = async (e: FormEvent) => {
    e.preventDefault();
    if (!renaming) return;
    const r = await rename.run(() => api<{ role: Role; mappingsUpdated: number; membersUpdated: number }>('PATCH', `${base}/roles/${encodeURIComponent(renaming.name)}`, { body: { name: newName.trim() } }));
    if (r) {
      setSaved(`Renamed “${renaming.name}” to “${r.role.name}”: ${plural(r.mappingsUpdated, 'mapping')} and ${plural(r.membersUpdated, 'member')} updated.`);
      setRenaming(null);
      roles.reload();
      onChange();
    }
  };
  return (
    <Card title="App roles" description="The roles members can have in this app. Mappings, the default role and manual changes choose among them.">
      {saved ? <Notice tone="success">{saved}</Notice> : null}
      <ErrorMessage error={roles.error} prefix="Could not load the roles." />
      {list.length > 0 ? (
        <div className="table-wrap">
          <table className="table responsive">
            <caption className="visually-hidden">App roles</caption>
            <thead>
              <tr>
                <th scope="col">Role</th>
                <th scope="col">Members</th>
                <th scope="col">Mappings</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((r) => (
                <tr key={r.name}>
                  <td data-label="Role">
                    <strong>{r.name}</strong> {r.isDefault ? <Badge tone="blue">default</Badge> : null}
                  </td>
                  <td data-label="Members">{r.memberCount}</td>
                  <td data-label="Mappings">{r.mappingCount}</td>
                  <td className="actions">
                    <button
                      type="button"
                      className="btn btn-small"
                      aria-label={`Rename role ${r.name}`}
                      onClick={() => {
                        setRenaming(r);
                        setNewName(r.name);
                        rename.setError(null);
                      }}
                    >
                      Rename
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : roles.loading ? (
        <Loading what="Loading roles" />
      ) : null}
      <form onSubmit={submit} className="form form-inline">
        <div className="field">
          <label htmlFor="new-role">New role</label>
          <input id="new-role" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} placeholder="billing-admin" aria-describedby="new-role-help" />
        </div>
        <button type="submit" className="btn" disabled={add.busy}>
          Add role
        </button>
      </form>
      <p id="new-role-help" className="help">
        Up to 100 characters ({name.length} used).
      </p>
      <ErrorMessage error={add.error} />
      <Dialog open={renaming !== null} title={`Rename role “${renaming?.name ?? ''}”`} onClose={() => setRenaming(null)}>
        <form onSubmit={submitRename} className="form">
          <p>The new name applies everywhere at once: mappings that point at it, the default role and every member who has it.</p>
          <div className="field">
            <label htmlFor="rename-role">New name</label>
            <input id="rename-role" required maxLength={100} value={newName} onChange={(e) => setNewName(e.target.value)} autoFocus aria-describedby="rename-role-help" />
            <p id="rename-role-help" className="help">
              Up to 100 characters ({newName.length} used).
            </p>
          </div>
          <ErrorMessage error={rename.error} />
          <div className="dialog-footer">
            <button type="button" className="btn" onClick={() => setRenaming(null)}>
              Cancel
            </button>
            <button type="submit" className="btn btn-primary" disabled={rename.busy}>
              Rename
            </button>
          </div>
        </form>
      </Dialog>
    </Card>
  );
}
