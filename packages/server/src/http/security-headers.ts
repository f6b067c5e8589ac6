import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * The headers every answer carries (@fastify/helmet): a Content-Security-Policy that lets the
 * web app run only its own scripts (no inline script, no eval), load only its own origin (images
 * are blob: URLs of files fetched with the user's token; remote images in messages are never
 * loaded, see web/src/markdown/render.ts), and never be framed; no referrer leaves for links in
 * messages; nosniff. HSTS only on an answer that went out over TLS (directly, or through a
 * trusted proxy that said so): on plain HTTP it would be ignored or, worse, pin a host that has
 * no certificate.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  // Styles come from the app's own stylesheet; React sets element styles through the DOM, which CSP allows.
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'", 'data:'],
  // 'self' covers the same origin's ws:/wss: (CSP Level 3).
  connectSrc: ["'self'"],
  mediaSrc: ["'self'", 'blob:'],
  workerSrc: ["'self'"],
  manifestSrc: ["'self'"],
  objectSrc: ["'none'"],
  frameSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export const HSTS = 'max-age=31536000';

export async function installSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    strictTransportSecurity: false,
    referrerPolicy: { policy: 'no-referrer' },
    // Cross-origin isolation would refuse nothing Parley loads but gains it nothing either.
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    frameguard: { action: 'deny' },
  });
  app.addHook('onSend', async (req, reply) => {
    if (req.protocol === 'https') void reply.header('strict-transport-security', HSTS);
  });
}
