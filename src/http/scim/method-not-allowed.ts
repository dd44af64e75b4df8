/**
 * 405 Method Not Allowed for a method a known SCIM endpoint does not serve
 * (`DELETE /Users`, `PUT /ServiceProviderConfig`, `GET /Bulk`): RFC 9110
 * §15.5.6 (RFC 7231 §6.5.5) asks for 405 with an `Allow` header listing what
 * the endpoint does serve, where a 404 would tell the client the endpoint does
 * not exist. Answered in the SCIM error shape like every error under the base.
 *
 * The allowed methods are collected from the routes as they are registered, so
 * a new route or method can never drift from the 405s.
 */
import type { FastifyInstance } from 'fastify';
import { ScimError } from '../../scim/errors.js';

/** Path below the base (`/Users/:id`) → the methods registered for it. */
export type RouteMethods = Map<string, Set<string>>;

/**
 * Records the methods of every route registered on `app` (and its children)
 * from now on. Routes answering every method (`app.all`: the catch-all, /Me) need no 405.
 */
export function collectRouteMethods(app: FastifyInstance): RouteMethods {
  const routes: RouteMethods = new Map();
  const every = app.supportedMethods.length;
  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat().map((m) => m.toUpperCase());
    if (route.routePath.includes('*') || methods.length >= every) return;
    const set = routes.get(route.routePath) ?? new Set<string>();
    for (const m of methods) set.add(m);
    routes.set(route.routePath, set);
  });
  return routes;
}

/**
 * Registers, after every other SCIM route, a 405 route for each collected path
 * and each method it lacks. Runs inside the SCIM plugin, so authentication
 * comes first, as for every SCIM call.
 */
export function registerMethodNotAllowed(app: FastifyInstance, routes: RouteMethods): void {
  app.register(async (scope) => {
    // Snapshot first: the routes added here must not extend the table they come from.
    const table = [...routes].map(([path, methods]) => [path, new Set(methods)] as const);
    for (const [path, methods] of table) {
      if (methods.has('GET')) methods.add('HEAD');
      const allow = [...methods].sort().join(', ');
      const missing = scope.supportedMethods.filter((m) => !methods.has(m));
      if (!missing.length) continue;
      scope.route({
        method: missing,
        url: path,
        // Lets a route inventory (test/http/isolation.test.ts) tell these apart from served routes.
        config: { methodNotAllowed: true },
        handler: async (req, reply) => {
          reply.header('Allow', allow);
          throw new ScimError(405, undefined, `${req.method} is not supported on ${req.url.split('?')[0]}; this endpoint allows ${allow}`);
        },
      });
    }
  });
}
