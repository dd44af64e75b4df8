import { Link } from 'react-router';
import { useTitle } from '../components/Layout';
import { EmptyState } from '../components/ui';

export function NotFoundPage() {
  useTitle('Not found');
  return (
    <div className="page">
      <h1>Page not found</h1>
      <EmptyState title="There is no console page at this address." action={<Link to="/">Go to the start page</Link>} />
    </div>
  );
}
