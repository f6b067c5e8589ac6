import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  CreatedIncomingWebhook,
  CommandResult,
  CreateCommandBody,
  CreatedOutgoingWebhook,
  CreatedSlashCommand,
  CreateOutgoingWebhookBody,
  CreateWebhookBody,
  DeliveriesQuery,
  IncomingWebhookList,
  OutgoingWebhookList,
  RunCommandBody,
  SlashCommandList,
  WebhookDelivery,
  WebhookDeliveryList,
  Id,
  type IncomingWebhook,
} from '@parley/protocol';
import { actorOf } from '../http/auth.js';
import { parseJsonBody, toHttpError } from '../http/errors.js';
import { bearer, IdParams, NoContent, responses, type RoutesPlugin } from '../http/schemas.js';
import { AppError } from '../core/errors.js';
import type { Services } from '../services.js';
import { HookError } from './incoming-webhooks.js';

/** The hook's URL, as the client reached this server (`PARLEY_TRUST_PROXY` decides whether a proxy's headers count). */
const urlOf = (req: FastifyRequest, hook: IncomingWebhook, secret: string) => `${req.protocol}://${req.host}/hooks/${hook.id}/${secret}`;

/** Managing a conversation's incoming webhooks: `/api/v1`, bearer auth. */
export const webhookRoutes: RoutesPlugin = async (app, { services }) => {
  const tags = ['integrations'];
  const hooks = services.webhooks;

  app.post(
    '/conversations/:id/webhooks',
    {
      schema: {
        tags,
        summary: 'Create an incoming webhook posting into this conversation; its URL (with the secret) is shown only once',
        security: bearer,
        params: IdParams,
        body: CreateWebhookBody,
        response: responses({ 201: CreatedIncomingWebhook }),
      },
    },
    async (req, reply) => {
      const { secret, ...hook } = await hooks.create(actorOf(req), req.params.id, req.body);
      return reply.status(201).send({ ...hook, url: urlOf(req, hook, secret) });
    },
  );

  app.get(
    '/conversations/:id/webhooks',
    { schema: { tags, summary: 'The conversation’s live incoming webhooks (without their secrets)', security: bearer, params: IdParams, response: responses({ 200: IncomingWebhookList }) } },
    async (req) => ({ webhooks: await hooks.list(actorOf(req), req.params.id) }),
  );

  app.post(
    '/webhooks/:id/rotate',
    { schema: { tags, summary: 'Give a webhook a new secret URL; the old one stops working at once', security: bearer, params: IdParams, response: responses({ 200: CreatedIncomingWebhook }) } },
    async (req) => {
      const { secret, ...hook } = await hooks.rotate(actorOf(req), req.params.id);
      return { ...hook, url: urlOf(req, hook, secret) };
    },
  );

  app.delete('/webhooks/:id', { schema: { tags, summary: 'Revoke an incoming webhook', security: bearer, params: IdParams, response: responses({ 204: NoContent }) } }, async (req, reply) => {
    await hooks.revoke(actorOf(req), req.params.id);
    return reply.status(204).send(null);
  });

  const outgoing = services.outgoing;
  app.post(
    '/conversations/:id/outgoing-webhooks',
    {
      schema: {
        tags,
        summary: 'Create an outgoing webhook: this conversation’s events are POSTed, signed, to a URL; the signing secret is shown only once',
        security: bearer,
        params: IdParams,
        body: CreateOutgoingWebhookBody,
        response: responses({ 201: CreatedOutgoingWebhook }),
      },
    },
    async (req, reply) => reply.status(201).send(await outgoing.create(actorOf(req), req.params.id, req.body)),
  );

  app.get(
    '/conversations/:id/outgoing-webhooks',
    { schema: { tags, summary: 'The conversation’s live outgoing webhooks (without their secrets)', security: bearer, params: IdParams, response: responses({ 200: OutgoingWebhookList }) } },
    async (req) => ({ webhooks: await outgoing.list(actorOf(req), req.params.id) }),
  );

  app.post(
    '/outgoing-webhooks/:id/rotate',
    { schema: { tags, summary: 'Give an outgoing webhook a new signing secret and token', security: bearer, params: IdParams, response: responses({ 200: CreatedOutgoingWebhook }) } },
    async (req) => outgoing.rotate(actorOf(req), req.params.id),
  );

  app.delete(
    '/outgoing-webhooks/:id',
    { schema: { tags, summary: 'Revoke an outgoing webhook; its pending deliveries are dropped', security: bearer, params: IdParams, response: responses({ 204: NoContent }) } },
    async (req, reply) => {
      await outgoing.revoke(actorOf(req), req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/outgoing-webhooks/:id/deliveries',
    {
      schema: {
        tags,
        summary: 'An outgoing webhook’s deliveries, newest first: state, attempts, last status, latency',
        security: bearer,
        params: IdParams,
        querystring: DeliveriesQuery,
        response: responses({ 200: WebhookDeliveryList }),
      },
    },
    async (req) => ({ deliveries: await outgoing.deliveries(actorOf(req), req.params.id, req.query) }),
  );

  app.post(
    '/outgoing-webhooks/:id/deliveries/:delivery/redeliver',
    {
      schema: {
        tags,
        summary: 'Send a delivered or dead delivery again (same delivery id), retried afresh',
        security: bearer,
        params: Type.Object({ id: Id, delivery: Id }),
        response: responses({ 200: WebhookDelivery }),
      },
    },
    async (req) => outgoing.redeliver(actorOf(req), req.params.id, req.params.delivery),
  );

  const commands = services.commands;
  app.get(
    '/commands',
    { schema: { tags, summary: 'The workspace’s custom slash commands (endpoints shown to admins only)', security: bearer, response: responses({ 200: SlashCommandList }) } },
    async (req) => ({ commands: await commands.list(actorOf(req)) }),
  );

  app.post(
    '/commands',
    {
      schema: {
        tags,
        summary: 'Add a custom slash command (workspace admins); its signing secret and token are shown only once',
        security: bearer,
        body: CreateCommandBody,
        response: responses({ 201: CreatedSlashCommand }),
      },
    },
    async (req, reply) => reply.status(201).send(await commands.create(actorOf(req), req.body)),
  );

  app.delete(
    '/commands/:id',
    { schema: { tags, summary: 'Remove a custom slash command (workspace admins)', security: bearer, params: IdParams, response: responses({ 204: NoContent }) } },
    async (req, reply) => {
      await commands.revoke(actorOf(req), req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/commands/run',
    {
      schema: {
        tags,
        summary: 'Run a custom slash command in a conversation: its endpoint answers only to you (ephemeral) or in the conversation',
        security: bearer,
        body: RunCommandBody,
        response: responses({ 200: CommandResult }),
      },
    },
    async (req) => commands.run(actorOf(req), req.body, `${req.protocol}://${req.host}`),
  );
};

const HookParams = Type.Object({ id: Type.String({ maxLength: 64 }), secret: Type.String({ maxLength: 128 }) });

/**
 * Slack answers a webhook in plain text (`ok`, or a code such as `invalid_payload`), and scripts
 * written for Slack look for those words. A client that asks for JSON only (`Accept:
 * application/json`, nothing else) gets Parley's `{error: {code, message}}` and, on success, the
 * message's id and seq.
 */
function wantsJson(req: FastifyRequest): boolean {
  return (req.headers.accept ?? '').trim().toLowerCase() === 'application/json';
}

function answerError(req: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const { status, body } = toHttpError(err);
  if (status >= 500) req.log.error({ err }, 'webhook post failed');
  if (body.error.retry_after_ms !== undefined) void reply.header('retry-after', Math.ceil(body.error.retry_after_ms / 1000));
  if (wantsJson(req)) return reply.status(status).send(body);
  const slack =
    err instanceof HookError
      ? err.slack
      : status === 403
        ? 'action_prohibited'
        : status === 413
          ? 'request_too_large'
          : status === 429
            ? 'rate_limited'
            : status === 503
              ? 'service_unavailable'
              : status >= 500
                ? 'internal_error'
                : 'invalid_payload';
  return reply.status(status).type('text/plain; charset=utf-8').send(slack);
}

/**
 * `POST /hooks/:id/:secret`: Slack's incoming-webhook body, as JSON or as the form field
 * `payload`. Outside `/api/v1` (no bearer token: the URL is the secret) and outside the OpenAPI
 * document, whose error shape it does not answer in by default; docs/integrations.md describes it.
 */
export const hookPostRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  // The bytes as sent are kept: GitHub and Sentry sign them, not their parse.
  const rawBodies = new WeakMap<FastifyRequest, Buffer>();
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body: Buffer, done) => {
    rawBodies.set(req, body);
    try {
      done(null, parseJsonBody(body));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  // Slack's form encoding: `payload=<json>` (curl -d 'payload=…'). Parsed by the platform's own URLSearchParams.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (req, body: Buffer, done) => {
    rawBodies.set(req, body);
    done(null, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
  });
  app.setErrorHandler((err, req, reply) => answerError(req, reply, err));
  app.addHook('onRequest', async (req) => {
    const wait = await services.limits.ip.take(req.ip);
    if (wait > 0) throw new AppError('rate_limited', 'Too many requests from this address; retry later.', { retry_after_ms: wait });
  });

  app.post('/hooks/:id/:secret', { schema: { hide: true, params: HookParams } }, async (req, reply) => {
    const { id, secret } = req.params as { id: string; secret: string };
    let raw: unknown = req.body;
    const form = (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
    if (form) {
      const field = (raw as Record<string, string>)['payload'];
      if (field === undefined) throw new HookError('invalid_request', 'invalid_payload', 'A form body needs the field `payload` holding the JSON.', { field: '/payload' });
      try {
        raw = JSON.parse(field);
      } catch {
        throw new HookError('invalid_json', 'invalid_payload', 'The field `payload` is not valid JSON.', { field: '/payload' });
      }
    }
    const key = req.headers['idempotency-key'];
    const idempotencyKey = typeof key === 'string' && key !== '' ? key.slice(0, 255) : undefined;
    const header = (name: string) => {
      const v = req.headers[name];
      return typeof v === 'string' ? v : undefined;
    };
    const got = await services.webhooks.receive(id, secret, raw, {
      idempotencyKey,
      rawBody: rawBodies.get(req) ?? Buffer.alloc(0),
      header,
    });
    if (wantsJson(req)) {
      return reply.send(
        got.kind === 'message'
          ? { ok: true, message_id: got.ack.id, conv_id: got.ack.conv_id, seq: got.ack.seq, duplicate: got.ack.duplicate === true }
          : got.kind === 'thread'
            ? { ok: true, root_message_id: got.root_message_id, replies: got.replies }
            : { ok: true, ignored: got.why },
      );
    }
    return reply.type('text/plain; charset=utf-8').send('ok');
  });

  // A slash command's delayed answers (Slack's response_url): JSON, as Slack takes them.
  app.post('/hooks/commands/:id/:secret', { schema: { hide: true, params: HookParams } }, async (req, reply) => {
    const { id, secret } = req.params as { id: string; secret: string };
    const result = await services.commands.respond(id, secret, req.body);
    if (wantsJson(req)) return reply.send({ ok: true, ...result });
    return reply.type('text/plain; charset=utf-8').send('ok');
  });
};
