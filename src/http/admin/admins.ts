/**
 * Org admins' console accounts:
 *
 * - `POST /api/v1/orgs/{slug}/admins` `{email, password?}` (the operator, or an admin of the
 *   org inviting another) → 201 `{id, email, createdAt, passwordSet, setPasswordUrl?}`:
 *   with a password it is set at once; without, `setPasswordUrl` is a one-time link (72 h).
 *   409 when the email has an account already (in any org).
 * - `GET /api/v1/orgs/{slug}/admins` → the admins, never hashes.
 * - `DELETE /api/v1/orgs/{slug}/admins/{id}` → 204; the admin's sessions end.
 * - `POST /api/v1/password` `{token, password}` (public) → sets a password with the link's token.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createAdmin, deleteAdmin, EmailTakenError, listAdmins, setPasswordWithToken, SetPasswordTokenError, type AdminAccount } from '../../accounts/admins.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../accounts/passwords.js';
import { AdminError } from '../errors.js';
import { requestOrigin } from '../origin.js';
import type { AdminOptions } from './plugin.js';
import { actorOf, orgFor, slugParams } from './principal.js';

const password = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`);

const newAdminBody = z
  .object({
    email: z.string().trim().toLowerCase().max(254).check(z.email('must be an email address')),
    password: password.optional().describe('Set at once; without it the answer carries a one-time setPasswordUrl'),
  })
  .strict()
  .meta({ id: 'NewConsoleAdmin' });

const setPasswordBody = z
  .object({ token: z.string().min(1).max(200).describe('The `token` from the set-password link'), password })
  .strict()
  .meta({ id: 'SetPassword' });

const adminJson = z
  .object({
    id: z.string(),
    email: z.string(),
    createdAt: z.string(),
    passwordSet: z.boolean().describe('False until the set-password link has been used'),
  })
  .meta({ id: 'ConsoleAdmin' });

const createdJson = adminJson
  .extend({ setPasswordUrl: z.string().optional().describe('One-time link to set the password (72 hours); present when no password was given') })
  .meta({ id: 'ConsoleAdminCreated' });

const toJson = (a: AdminAccount): z.infer<typeof adminJson> => ({ id: a.id, email: a.email, createdAt: a.createdAt.toISOString(), passwordSet: a.passwordSet });


/** Registers the admin-account routes and `POST /password`. */
export function registerAdminRoutes(parent: FastifyInstance, opts: AdminOptions): void {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const { db } = opts;

  app.post(
    '/orgs/:slug/admins',
    { schema: { tags: ['admins'], summary: 'Create or invite an admin of the organisation', params: slugParams, body: newAdminBody, response: { 201: createdJson } } },
    async (req, reply) => {
      const o = await orgFor(db, req, req.params.slug);
      // Before creating anything: a Host header that is not a host name is refused here, not after the link is lost.
      const origin = requestOrigin(req, opts.publicUrl);
      try {
        const { admin, setPassword } = await createAdmin(db, o.id, req.body.email, req.body.password, actorOf(req));
        return reply.code(201).send({
          ...toJson(admin),
          ...(setPassword ? { setPasswordUrl: `${origin}/console/set-password#token=${setPassword.token}` } : {}),
        });
      } catch (err) {
        if (err instanceof EmailTakenError) throw new AdminError(409, err.message);
        throw err;
      }
    },
  );

  app.get('/orgs/:slug/admins', { schema: { tags: ['admins'], summary: "The organisation's admins", params: slugParams, response: { 200: z.array(adminJson) } } }, async (req) =>
    (await listAdmins(db, (await orgFor(db, req, req.params.slug)).id)).map(toJson),
  );

  app.delete(
    '/orgs/:slug/admins/:id',
    { schema: { tags: ['admins'], summary: 'Remove an admin and end their sessions', params: slugParams.extend({ id: z.string() }) } },
    async (req, reply) => {
      const o = await orgFor(db, req, req.params.slug);
      if (!(await deleteAdmin(db, o.id, req.params.id, actorOf(req)))) throw new AdminError(404, `No admin ${req.params.id} in organisation "${o.slug}"`);
      return reply.code(204).send();
    },
  );

  app.post(
    '/password',
    {
      config: { public: true },
      schema: { tags: ['admins'], summary: 'Set a password with a one-time set-password token', security: [], body: setPasswordBody, response: { 200: adminJson } },
    },
    async (req) => {
      try {
        return toJson(await setPasswordWithToken(db, req.body.token, req.body.password));
      } catch (err) {
        if (err instanceof SetPasswordTokenError) throw new AdminError(401, err.message);
        throw err;
      }
    },
  );
}
