/**
 * Fan-out between the services that produce events and the gateways that hold sockets.
 * Subjects: `conv.<id>` (log events and ephemeral signals of one conversation),
 * `user.<id>` (things for every device of one user), `presence.<id>` (one user's presence).
 * Payloads are already-serialised strings so a frame is encoded once, whatever the fan-out.
 */
export type BusHandler = (payload: string) => void;

export interface Bus {
  readonly name: string;
  publish(subject: string, payload: string): void;
  /** Returns a function that removes this subscription. */
  subscribe(subject: string, handler: BusHandler): () => void;
  /**
   * Resolves once the subscriptions made so far are in force at the broker, so a client told
   * "you are subscribed" cannot miss a message published right after (memory: at once; gives up
   * after a short wait when the broker is unreachable, as the node then serves local sockets only).
   */
  flush(): Promise<void>;
  /** true while the bus can carry messages (always for memory). */
  healthy(): boolean;
  close(): Promise<void>;
}

export const subjects = {
  conv: (id: string) => `conv.${id}`,
  user: (id: string) => `user.${id}`,
  presence: (id: string) => `presence.${id}`,
};
