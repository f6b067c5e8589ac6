import { AppError } from '../core/errors.js';
import { actorOf } from '../http/auth.js';
import { bearer, responses, type RoutesPlugin } from '../http/schemas.js';
import { writeBackup } from '../store/backup.js';

/** Operations an owner runs on a live server: an online backup (`parley backup FILE`). */
export const operationsRoutes: RoutesPlugin = async (app, { services }) => {
  app.get(
    '/admin/backup',
    {
      schema: {
        tags: ['admin'],
        summary: 'An online backup of the embedded database and its files (gzipped tar; workspace owners). Restore it with `parley restore`',
        security: bearer,
        response: {
          ...responses({}),
          200: { description: 'The backup: manifest.json, parley.db, files/blobs/…, jwt.secret', content: { 'application/gzip': { schema: { type: 'string', format: 'binary' } } } },
        },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      // The whole database — every message, password hash and secret: owners only.
      if (actor.role !== 'owner') throw new AppError('forbidden', 'Only workspace owners can take a backup.');
      if (services.deps.sqlite === null)
        throw new AppError('conflict', 'This server keeps its data in PostgreSQL: back it up with pg_dump and the file store’s own tools (docs/operations.md#backups).');
      const stamp = new Date(services.deps.now()).toISOString().replace(/[:.]/g, '-');
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'application/gzip', 'content-disposition': `attachment; filename="parley-backup-${stamp}.tar.gz"`, 'cache-control': 'no-store' });
      try {
        const manifest = await writeBackup(services.deps, services.files.blobs, (work) => services.files.collector.hold(work), reply.raw);
        await services.audit.record({ actor_id: actor.userId, action: 'backup.created', data: { messages: manifest.messages, files: manifest.files, bytes: manifest.file_bytes }, ip: req.ip });
      } catch (err) {
        // The status line is gone: cutting the stream is how a half-written backup is told apart.
        req.log.error({ err }, 'backup failed');
        reply.raw.destroy(err as Error);
      }
    },
  );
};
