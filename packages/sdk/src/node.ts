import WebSocket from 'ws';
import { Parley as BaseParley, type ParleyOptions, type WebSocketCtor } from './client/parley.js';
import { nodeUploads } from './client/uploads-node.js';

export * from './index.js';
export { nodeUploads } from './client/uploads-node.js';
export { verifyWebhookSignature, type SignedRequest, type VerifyOptions } from './client/webhook-signature.js';

/** Under Node 20 (no global WebSocket) the SDK uses the `ws` package; everything else is shared with the browser build. */
export class Parley extends BaseParley {
  constructor(options: ParleyOptions) {
    super({ WebSocket: WebSocket as unknown as WebSocketCtor, uploadPlatform: nodeUploads, userAgent: `parley-sdk/0.1 node/${process.versions.node}`, ...options });
  }
}
