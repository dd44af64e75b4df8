/** The signed-in frame: header (org, org switcher for the operator, sign-out), the Settings navigation and the page. */
import { useEffect, type ReactNode } from 'react';
import { Link, Navigate, NavLink, Outlet, useLocation, useNavigate, useParams } from 'react-router';
import { useAuth } from '../auth';
import type { Org } from '../types';
import { Loading } from './ui';

export function useTitle(...parts: (string | undefined | null)[]) {
  const title = [...parts.filter(Boolean), 'scimd console'].join(' · ');
  useEffect(() => {
    document.title = title;
  }, [title]);
}

/** The org of the current route, as the signed-in principal knows it. */
export function useOrg(): Org {
  const { slug } = useParams();
  const { principal } = useAuth();
  if (principal?.kind === 'admin') return principal.org;
  const org = principal?.kind === 'operator' ? principal.orgs.find((o) => o.slug === slug) : undefined;
  return org ?? { id: '', slug: slug ?? '', name: slug ?? '' };
}

export function RequireAuth({ children }: { children: ReactNode }) {
  const { principal } = useAuth();
  const location = useLocation();
  if (principal === undefined) return <Loading what="Checking your sign-in" />;
  if (principal === null) return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
  return <>{children}</>;
}

function OrgSwitcher({ current }: { current: string }) {
  const { principal } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  if (principal?.kind !== 'operator') return null;
  // Keep the same section (scim, members, …) when switching org.
  const section = location.pathname.split('/')[3] ?? 'scim';
  return (
    <div className="org-switcher">
      <label htmlFor="org-switcher">Organisation</label>
      <select
        id="org-switcher"
        value={current}
        onChange={(e) => {
          if (e.target.value === '') navigate('/orgs');
          else navigate(`/orgs/${e.target.value}/${['scim', 'members', 'groups', 'activity', 'admins'].includes(section) ? section : 'scim'}`);
        }}
      >
        {principal.orgs.map((o) => (
          <option key={o.id} value={o.slug}>
            {o.name === o.slug ? o.slug : `${o.name} (${o.slug})`}
          </option>
        ))}
        <option value="">All organisations…</option>
      </select>
    </div>
  );
}

export function TopBar({ slug }: { slug?: string }) {
  const { principal, signOut } = useAuth();
  const navigate = useNavigate();
  return (
    <header className="topbar">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <Link to="/" className="brand" aria-label="scimd console home">
        <span className="brand-mark" aria-hidden="true" />
        scimd
      </Link>
      <div className="topbar-middle">
        {principal?.kind === 'admin' ? <span className="org-name" title="Your organisation">{principal.org.name}</span> : null}
        {principal?.kind === 'operator' && slug ? <OrgSwitcher current={slug} /> : null}
      </div>
      {principal ? (
        <div className="topbar-user">
          <span className="who" title={principal.kind === 'operator' ? 'Signed in with the operator token' : 'Signed in as'}>
            {principal.kind === 'operator' ? 'Operator' : principal.email}
          </span>
          <button
            type="button"
            className="btn btn-small"
            onClick={async () => {
              await signOut();
              navigate('/sign-in', { replace: true });
            }}
          >
            Sign out
          </button>
        </div>
      ) : null}
    </header>
  );
}

const SECTIONS = [
  { to: 'scim', label: 'SCIM Provisioning' },
  { to: 'members', label: 'Members' },
  { to: 'groups', label: 'Groups' },
  { to: 'activity', label: 'Activity' },
  { to: 'admins', label: 'Console admins' },
];

export function OrgLayout() {
  const { slug } = useParams();
  const { principal } = useAuth();
  if (principal?.kind === 'admin' && slug !== principal.org.slug) return <Navigate to={`/orgs/${principal.org.slug}/scim`} replace />;
  if (principal?.kind === 'operator' && !principal.orgs.some((o) => o.slug === slug)) return <Navigate to="/orgs" replace state={{ unknown: slug }} />;
  return (
    <div className="shell">
      <TopBar slug={slug!} />
      <div className="body">
        <nav className="sidenav" aria-label="Settings">
          <p className="sidenav-heading" aria-hidden="true">
            Settings
          </p>
          <ul>
            {SECTIONS.map((s) => (
              <li key={s.to}>
                <NavLink to={`/orgs/${slug}/${s.to}`}>{s.label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" tabIndex={-1}>
          <Outlet />
        </main>
      </div>
    </div>
  );
}

/** Pages outside an org (operator's list of orgs, not found). */
export function PlainLayout({ children }: { children: ReactNode }) {
  return (
    <div className="shell">
      <TopBar />
      <main id="main" tabIndex={-1} className="plain-main">
        {children}
      </main>
    </div>
  );
}
