/**
 * A value already encoded as JSON, e.g. a send's ack built on the send writer's thread: a socket
 * gets the text as it is (no copy of the object across threads, no second JSON.stringify on the
 * event loop); REST and other callers decode it once.
 */
export class EncodedJson<T> {
  private value: T | undefined;

  constructor(readonly json: string) {}

  decode(): T {
    return (this.value ??= JSON.parse(this.json) as T);
  }
}
