/** Small building blocks shared by the pages. */
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { errorText } from '../api';
import { formatDateTime, formatRelative, outcomeOf } from '../format';

export function PageHeader({ title, description, actions }: { title: ReactNode; description?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {description ? <p className="page-description">{description}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </header>
  );
}

export function Card({ title, description, actions, children, id, className }: { title: ReactNode; description?: ReactNode; actions?: ReactNode; children: ReactNode; id?: string; className?: string }) {
  const headingId = useId();
  return (
    <section className={`card ${className ?? ''}`} aria-labelledby={headingId} id={id}>
      <div className="card-header">
        <div>
          <h2 id={headingId}>{title}</h2>
          {description ? <p className="card-description">{description}</p> : null}
        </div>
        {actions ? <div className="card-actions">{actions}</div> : null}
      </div>
      {children}
    </section>
  );
}

/** An API error, in words, announced to screen readers. */
export function ErrorMessage({ error, prefix }: { error: unknown; prefix?: string }) {
  if (!error) return null;
  return (
    <div className="alert alert-error" role="alert">
      {prefix ? <strong>{prefix} </strong> : null}
      {errorText(error)}
    </div>
  );
}

export function Notice({ children, tone = 'info' }: { children: ReactNode; tone?: 'info' | 'success' | 'warning' }) {
  return (
    <div className={`alert alert-${tone}`} role="status">
      {children}
    </div>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" /> {what}…
    </p>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty-state">
      <p className="empty-title">{title}</p>
      {children ? <div className="empty-body">{children}</div> : null}
      {action ? <div className="empty-action">{action}</div> : null}
    </div>
  );
}

export function Badge({ tone = 'neutral', children }: { tone?: 'neutral' | 'green' | 'amber' | 'red' | 'blue' | 'grey'; children: ReactNode }) {
  // A long text (a role name) is cut by the CSS: the tooltip has all of it.
  return (
    <span className={`badge badge-${tone}`} title={typeof children === 'string' && children.length > 20 ? children : undefined}>
      {children}
    </span>
  );
}

export function ActiveBadge({ active }: { active: boolean }) {
  return active ? <Badge tone="green">Active</Badge> : <Badge tone="grey">Inactive</Badge>;
}

export function StatusBadge({ status }: { status: number }) {
  const o = outcomeOf(status);
  return <Badge tone={o === 'ok' ? 'green' : o === 'client' ? 'amber' : 'red'}>{status}</Badge>;
}

/** A timestamp as "3 minutes ago", the full date in its tooltip and for machines. */
export function When({ iso, empty = 'Never' }: { iso: string | null | undefined; empty?: string }) {
  if (!iso) return <span className="muted">{empty}</span>;
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {formatRelative(iso)}
    </time>
  );
}

/** A date shown in full ("12 Mar 2026, 14:05"). */
export function DateText({ iso, empty = '—' }: { iso: string | null | undefined; empty?: string }) {
  if (!iso) return <span className="muted">{empty}</span>;
  return <time dateTime={iso}>{formatDateTime(iso)}</time>;
}

async function copyText(text: string, fallbackFrom?: HTMLInputElement | null): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the selection copy
  }
  if (fallbackFrom) {
    fallbackFrom.focus();
    fallbackFrom.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
  return false;
}

/** A read-only value with a Copy button (falls back to selecting it for Ctrl+C). */
export function CopyField({ label, value, secret, id }: { label: string; value: string; secret?: boolean; id?: string }) {
  const autoId = useId();
  const inputId = id ?? autoId;
  const input = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = setTimeout(() => setState('idle'), 2500);
    return () => clearTimeout(t);
  }, [state]);
  return (
    <div className="copy-field">
      <label htmlFor={inputId}>{label}</label>
      <div className="copy-row">
        <input id={inputId} ref={input} readOnly value={value} className={secret ? 'mono secret' : 'mono'} onFocus={(e) => e.currentTarget.select()} spellCheck={false} />
        <button type="button" className="btn" onClick={async () => setState((await copyText(value, input.current)) ? 'copied' : 'failed')} aria-label={`${state === 'copied' ? 'Copied' : 'Copy'} ${label}`}>
          {state === 'copied' ? 'Copied' : 'Copy'}
        </button>
      </div>
      <span className="copy-status" role="status" aria-live="polite">
        {state === 'copied' ? `${label} copied to the clipboard.` : state === 'failed' ? 'Could not copy automatically: the text is selected, press Ctrl+C (⌘C on a Mac).' : ''}
      </span>
    </div>
  );
}

/** A modal dialog on the native <dialog> element: focus moves in, Escape closes, focus returns. */
export function Dialog({ open, title, onClose, children, footer, dismissable = true, labelId }: { open: boolean; title: string; onClose(): void; children: ReactNode; footer?: ReactNode; dismissable?: boolean; labelId?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  const autoId = useId();
  const headingId = labelId ?? autoId;
  // Focus returns to the control that opened the dialog, also when the dialog is unmounted
  // rather than closed (the native return only happens on close()). The opener is noted while
  // rendering: by the time effects run, autoFocus inside the dialog may already have moved focus.
  const opened = useRef<{ open: boolean; opener: HTMLElement | null }>({ open: false, opener: null });
  if (open && !opened.current.open) opened.current.opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  opened.current.open = open;
  useEffect(() => {
    if (!open) return;
    const opener = opened.current.opener;
    return () => {
      setTimeout(() => {
        if (opener?.isConnected) opener.focus();
      }, 0);
    };
  }, [open]);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={headingId}
      onCancel={(e) => {
        e.preventDefault();
        if (dismissable) onClose();
      }}
    >
      {open ? (
        <>
          <h2 id={headingId} className="dialog-title">
            {title}
          </h2>
          <div className="dialog-body">{children}</div>
          {footer ? <div className="dialog-footer">{footer}</div> : null}
        </>
      ) : null}
    </dialog>
  );
}

/** A yes/no question before something that is hard to undo. */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  danger,
  busy,
  error,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  error?: unknown;
  onConfirm(): void;
  onCancel(): void;
}) {
  return (
    <Dialog
      open={open}
      title={title}
      onClose={onCancel}
      footer={
        <>
          <button type="button" className="btn" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
          <button type="button" className={danger ? 'btn btn-danger' : 'btn btn-primary'} onClick={onConfirm} disabled={busy} autoFocus>
            {busy ? 'Working…' : confirmLabel}
          </button>
        </>
      }
    >
      {children}
      <ErrorMessage error={error} />
    </Dialog>
  );
}

/** An on/off switch (a button with role="switch"). */
export function Switch({ checked, onChange, label, description, disabled }: { checked: boolean; onChange(next: boolean): void; label: string; description?: ReactNode; disabled?: boolean }) {
  const labelId = useId();
  const descId = useId();
  return (
    <div className="switch-row">
      <button
        type="button"
        role="switch"
        aria-checked={checked}
        aria-labelledby={labelId}
        aria-describedby={description ? descId : undefined}
        className="switch"
        // aria-disabled, not disabled: a disabled button drops keyboard focus while the change saves.
        aria-disabled={disabled || undefined}
        onClick={() => {
          if (!disabled) onChange(!checked);
        }}
      >
        <span className="switch-thumb" aria-hidden="true" />
      </button>
      <div>
        <span id={labelId} className="switch-label">
          {label} <span className="switch-state">{checked ? 'On' : 'Off'}</span>
        </span>
        {description ? (
          <p id={descId} className="switch-description">
            {description}
          </p>
        ) : null}
      </div>
    </div>
  );
}

/** "1–50 of 123" with Previous/Next, for page-numbered lists. */
export function Pager({ page, limit, total, onPage, label }: { page: number; limit: number; total: number; onPage(p: number): void; label: string }) {
  const pages = Math.max(1, Math.ceil(total / limit));
  const from = total === 0 ? 0 : (page - 1) * limit + 1;
  const to = Math.min(total, page * limit);
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <span className="pager-range" aria-live="polite">
        {from}–{to} of {total}
      </span>
      {pages > 1 ? (
        <>
      <button type="button" className="btn btn-small" onClick={() => onPage(page - 1)} disabled={page <= 1}>
        Previous
      </button>
      <span className="pager-page">
        Page {page} of {pages}
      </span>
      <button type="button" className="btn btn-small" onClick={() => onPage(page + 1)} disabled={page >= pages}>
        Next
      </button>
        </>
      ) : null}
    </nav>
  );
}

/** A column header that sorts the table (aria-sort tells screen readers the state). */
export function SortHeader<K extends string>({ label, field, sort, order, onSort }: { label: string; field: K; sort: K; order: 'asc' | 'desc'; onSort(field: K, order: 'asc' | 'desc'): void }) {
  const active = sort === field;
  return (
    <th scope="col" aria-sort={active ? (order === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className="sort-button" onClick={() => onSort(field, active && order === 'asc' ? 'desc' : 'asc')}>
        {label}
        <span className="sort-icon" aria-hidden="true">
          {active ? (order === 'asc' ? '▲' : '▼') : '↕'}
        </span>
        <span className="visually-hidden">{active ? `, sorted ${order === 'asc' ? 'ascending' : 'descending'}; sort ${order === 'asc' ? 'descending' : 'ascending'}` : ', sort'}</span>
      </button>
    </th>
  );
}
