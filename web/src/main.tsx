import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { AuthProvider, useAuth } from './auth';
import { Loading } from './components/ui';
import { OrgLayout, PlainLayout, RequireAuth } from './components/Layout';
import { ActivityPage } from './pages/Activity';
import { AdminsPage } from './pages/Admins';
import { GroupPage } from './pages/Group';
import { GroupsPage } from './pages/Groups';
import { MemberPage } from './pages/Member';
import { MembersPage } from './pages/Members';
import { NotFoundPage } from './pages/NotFound';
import { OrgsPage } from './pages/Orgs';
import { ScimPage } from './pages/Scim';
import { SetPasswordPage } from './pages/SetPassword';
import { SignInPage } from './pages/SignIn';
import './styles.css';

/** `/console/`: the admin's org, or the operator's list of orgs. */
function Home() {
  const { principal } = useAuth();
  if (principal === undefined) return <Loading what="Checking your sign-in" />;
  if (principal === null) return <Navigate to="/sign-in" replace />;
  if (principal.kind === 'admin') return <Navigate to={`/orgs/${principal.org.slug}/scim`} replace />;
  return <Navigate to={principal.orgs.length === 1 ? `/orgs/${principal.orgs[0]!.slug}/scim` : '/orgs'} replace />;
}

function App() {
  return (
    <Routes>
      <Route path="/" element={<Home />} />
      <Route path="/sign-in" element={<SignInPage />} />
      <Route path="/set-password" element={<SetPasswordPage />} />
      <Route
        path="/orgs"
        element={
          <RequireAuth>
            <PlainLayout>
              <OrgsPage />
            </PlainLayout>
          </RequireAuth>
        }
      />
      <Route
        path="/orgs/:slug"
        element={
          <RequireAuth>
            <OrgLayout />
          </RequireAuth>
        }
      >
        <Route index element={<Navigate to="scim" replace />} />
        <Route path="scim" element={<ScimPage />} />
        <Route path="members" element={<MembersPage />} />
        <Route path="members/:id" element={<MemberPage />} />
        <Route path="groups" element={<GroupsPage />} />
        <Route path="groups/:id" element={<GroupPage />} />
        <Route path="activity" element={<ActivityPage />} />
        <Route path="admins" element={<AdminsPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
      <Route
        path="*"
        element={
          <PlainLayout>
            <NotFoundPage />
          </PlainLayout>
        }
      />
    </Routes>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BrowserRouter basename="/console">
      <AuthProvider>
        <App />
      </AuthProvider>
    </BrowserRouter>
  </StrictMode>,
);
