import type { LogEvent, ServerEvent } from '@parley/protocol';
import { subjects, type Bus } from './bus.js';
import { busControl, busFrame, busLogFrame, encodeEventFrame } from './envelope.js';

/** The only way services emit real-time events; it never touches a socket. */
export class Publisher {
  /** Told of each log event this node publishes (the outgoing-webhook and push dispatchers wake on it); each must be cheap. */
  private readonly logListeners: ((convId: string) => void)[] = [];

  constructor(private readonly bus: Bus) {}

  logEvent(event: LogEvent): void {
    const messageSeq = 'message' in event && event.message.seq < event.seq ? event.message.seq : null;
    this.logEncoded(event.conv_id, event.seq, messageSeq, encodeEventFrame(event), event.type === 'member.left' ? event.user_id : null);
  }

  /**
   * A log event already encoded (`encodeEventFrame`), e.g. by the send writer's thread.
   * `messageSeq`: the seq of the message it is about when older than the event (an edit).
   */
  logEncoded(convId: string, seq: number, messageSeq: number | null, frame: string, leftUserId: string | null = null): void {
    this.bus.publish(subjects.conv(convId), busLogFrame(seq, messageSeq, frame, leftUserId));
    for (const l of this.logListeners) l(convId);
  }

  /** Adds a listener told of each log event this node publishes; returns its removal. */
  onLog(listener: (convId: string) => void): () => void {
    this.logListeners.push(listener);
    return () => {
      const i = this.logListeners.indexOf(listener);
      if (i >= 0) this.logListeners.splice(i, 1);
    };
  }

  toConversation(convId: string, event: ServerEvent): void {
    this.bus.publish(subjects.conv(convId), busFrame(encodeEventFrame(event)));
  }

  toUser(userId: string, event: ServerEvent): void {
    this.bus.publish(subjects.user(userId), busFrame(encodeEventFrame(event)));
  }

  presence(userId: string, event: ServerEvent): void {
    this.bus.publish(subjects.presence(userId), busFrame(encodeEventFrame(event)));
  }

  /**
   * The user now belongs to the conversation: their sockets subscribe and receive `events` first;
   * `nextSeq` is the first seq after those events, where re-ordering starts (see SeqOrder).
   */
  joined(userId: string, convId: string, visibleFromSeq: number, nextSeq: number, events: ServerEvent[]): void {
    this.bus.publish(subjects.user(userId), busControl({ op: 'join', conv_id: convId, visible_from_seq: visibleFromSeq, next_seq: nextSeq, frames: events.map(encodeEventFrame) }));
  }

  /** `seq` is the member.left event's: a socket subscribed after it (the user came back) stays. */
  left(userId: string, convId: string, seq: number): void {
    this.bus.publish(subjects.user(userId), busControl({ op: 'leave', conv_id: convId, seq }));
  }

  revokeSession(userId: string, sessionId: string): void {
    this.bus.publish(subjects.user(userId), busControl({ op: 'revoke', session_id: sessionId }));
  }

  /** Every socket of the user, on every node, closes: none of their credentials is good any more. */
  closeUser(userId: string, reason: string): void {
    this.bus.publish(subjects.user(userId), busControl({ op: 'close_user', reason }));
  }
}
