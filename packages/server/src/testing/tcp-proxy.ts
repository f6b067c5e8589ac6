/**
 * A TCP proxy in front of a real server (NATS, PostgreSQL) so a test can cut the network and
 * restore it: the engine stays real, only the wire between it and Parley breaks.
 */
import net from 'node:net';

export interface TcpProxy {
  port: number;
  url(scheme: string, path?: string): string;
  /** Drops every open connection and refuses new ones until `restore`. */
  cut(): void;
  /**
   * Forwards exactly `bytes` more bytes towards the target (counted over all connections), then
   * cuts as `cut` does: a drop at a known point in the middle of a request body.
   */
  cutAfter(bytes: number): Promise<void>;
  restore(): void;
  close(): Promise<void>;
}

export async function tcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let down = false;
  let budget: { left: number; reached: () => void } | null = null;
  const cutAll = () => {
    down = true;
    for (const s of open) s.destroy();
    open.clear();
  };
  const server = net.createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, targetHost);
    // Like a direct connection: no Nagle delay added by the proxy's own hop.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    open.add(client);
    open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.on('data', (chunk: Buffer) => {
      const b = budget;
      // The budget is spent and the cut is on its way: nothing more goes through.
      if (b && b.left === 0) return;
      const part = b ? chunk.subarray(0, b.left) : chunk;
      if (b) b.left -= part.length;
      const last = b !== null && b.left === 0;
      const flowing = upstream.write(part, () => {
        if (!last || budget !== b) return;
        budget = null;
        cutAll();
        b.reached();
      });
      if (!flowing && !last) {
        client.pause();
        upstream.once('drain', () => client.resume());
      }
    });
    client.on('end', () => upstream.end());
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: (scheme, path = '') => `${scheme}://127.0.0.1:${port}${path}`,
    cut: cutAll,
    cutAfter(bytes) {
      return new Promise<void>((reached) => (budget = { left: bytes, reached }));
    },
    restore() {
      down = false;
    },
    close() {
      down = true;
      for (const s of open) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
