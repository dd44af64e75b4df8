/** Discovery routes (RFC 7644 §4): ServiceProviderConfig, ResourceTypes, Schemas. */
import type { FastifyInstance } from 'fastify';
import { resourceTypeDocuments, schemaDocuments, serviceProviderConfig, type ServiceLimits } from '../../scim/discovery.js';
import { notFound } from '../../scim/errors.js';
import { listResponse } from '../../scim/messages.js';
import { sendScim } from './send.js';

export function registerDiscoveryRoutes(app: FastifyInstance, limits: ServiceLimits): void {
  app.get('/ServiceProviderConfig', async (req, reply) => sendScim(reply, 200, serviceProviderConfig(req.scim.baseUrl, limits)));
  app.get('/ResourceTypes', async (req, reply) => {
    const docs = resourceTypeDocuments(req.scim.baseUrl);
    return sendScim(reply, 200, listResponse(docs, docs.length, 1));
  });
  app.get<{ Params: { name: string } }>('/ResourceTypes/:name', async (req, reply) => {
    const doc = resourceTypeDocuments(req.scim.baseUrl).find((d) => String(d.id).toLowerCase() === req.params.name.toLowerCase());
    if (!doc) throw notFound(`No resource type "${req.params.name}"; this server serves User and Group`);
    return sendScim(reply, 200, doc);
  });
  app.get('/Schemas', async (req, reply) => {
    const docs = schemaDocuments(req.scim.baseUrl);
    return sendScim(reply, 200, listResponse(docs, docs.length, 1));
  });
  app.get<{ Params: { id: string } }>('/Schemas/:id', async (req, reply) => {
    const doc = schemaDocuments(req.scim.baseUrl).find((d) => String(d.id).toLowerCase() === req.params.id.toLowerCase());
    if (!doc) throw notFound(`No schema "${req.params.id}"`);
    return sendScim(reply, 200, doc);
  });
}
