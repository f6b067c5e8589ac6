import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { Message, RevealedMessage } from '@parley/protocol';
import { testMessage } from '@parley/protocol/testing';
import { ParleyError } from '@parley/sdk';
import { Reveals, type RevealState } from './reveals';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');

function message(id: string, body: string): Message {
  return testMessage({
    id,
    conv_id: 'c1',
    sender_id: 'u1',
    client_msg_id: `cm-${id}`,
    body,
    created_at: new Date(T0).toISOString(),
    burn: { after_s: 30, expires_at: new Date(T0 + 86_400_000).toISOString(), burned_at: null },
  });
}

/** The server's answer for a reader with `leftMs` of their time, on a server clock `offsetMs` ahead of ours. */
function revealed(m: Message, leftMs: number, offsetMs = 0): RevealedMessage {
  return { message: m, burns_at: new Date(Date.now() + offsetMs + leftMs).toISOString(), burns_in_ms: leftMs };
}

/** A Reveals whose server answers `answer(id)`. */
function setup(answer: (id: string) => Promise<RevealedMessage>) {
  const dropped: string[] = [];
  const reveals = new Reveals({ reveal: answer, onDrop: (m) => dropped.push(m.body) });
  let changes = 0;
  reveals.subscribe(() => changes++);
  return { reveals, dropped, changes: () => changes };
}

const body = (s: RevealState) => (s.status === 'shown' ? s.message.body : null);

describe('revealed burn-after-reading content', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  test("is shown until the reader's burns_at, then dropped from memory", async () => {
    const { reveals, dropped } = setup(async (id) => revealed(message(id, 'the password is hunter2'), 30_000));
    await reveals.reveal('m1');
    expect(body(reveals.get('m1'))).toBe('the password is hunter2');
    vi.advanceTimersByTime(29_999);
    expect(reveals.get('m1').status).toBe('shown');
    vi.advanceTimersByTime(1);
    expect(reveals.get('m1')).toEqual({ status: 'expired' });
    expect(dropped).toEqual(['the password is hunter2']);
    // Once expired here, clicking again does not bring it back: the server would refuse anyway.
    await reveals.reveal('m1');
    expect(reveals.get('m1')).toEqual({ status: 'expired' });
  });

  test("counts the reader's time from the ask on this browser's clock, however skewed the server's clock or slow its answer", async () => {
    // The server's clock is 10 s ahead, and its answer takes 2 s to arrive: the reader's 30 s
    // started at the server somewhere in those 2 s, so the content goes 30 s after the ask.
    let answer: () => void = () => undefined;
    const { reveals } = setup(
      (id) =>
        new Promise((resolve) => {
          answer = () => resolve(revealed(message(id, 'secret'), 30_000, 10_000));
        }),
    );
    const asked = reveals.reveal('m1');
    vi.advanceTimersByTime(2_000);
    answer();
    await asked;
    expect(reveals.get('m1').status).toBe('shown');
    vi.advanceTimersByTime(27_999);
    expect(reveals.get('m1').status).toBe('shown');
    vi.advanceTimersByTime(1);
    expect(reveals.get('m1').status).toBe('expired');
  });

  test('its sender reads it with no timer, until it burns for everyone', async () => {
    const { reveals, dropped } = setup(async (id) => ({ message: message(id, 'mine'), burns_at: null, burns_in_ms: null }));
    await reveals.reveal('m1');
    vi.advanceTimersByTime(7 * 86_400_000);
    expect(body(reveals.get('m1'))).toBe('mine');
    reveals.burned('m1');
    expect(reveals.get('m1')).toEqual({ status: 'burned' });
    expect(dropped).toEqual(['mine']);
  });

  test('a reveal after the reader\'s time says "burned"; another failure can be tried again', async () => {
    let fail: ParleyError | null = new ParleyError('burned', 'This message burned for you.');
    const { reveals } = setup(async (id) => {
      if (fail) throw fail;
      return revealed(message(id, 'again'), 30_000);
    });
    await reveals.reveal('m1');
    expect(reveals.get('m1')).toEqual({ status: 'burned' });
    fail = new ParleyError('network', 'offline');
    await reveals.reveal('m2');
    expect(reveals.get('m2').status).toBe('failed');
    fail = null;
    await reveals.reveal('m2');
    expect(body(reveals.get('m2'))).toBe('again');
  });

  test('one reveal for every row asking at once, and an answer arriving after the burn is thrown away', async () => {
    let calls = 0;
    let answer: (r: RevealedMessage) => void = () => undefined;
    const { reveals } = setup((id) => {
      calls++;
      return new Promise((resolve) => (answer = (r) => resolve({ ...r, message: message(id, r.message.body) })));
    });
    const first = reveals.reveal('m1');
    const second = reveals.reveal('m1');
    expect(calls).toBe(1);
    reveals.burned('m1');
    answer(revealed(message('m1', 'too late'), 30_000));
    await Promise.all([first, second]);
    expect(reveals.get('m1')).toEqual({ status: 'burned' });
  });

  test('signing out drops everything revealed', async () => {
    const { reveals, dropped, changes } = setup(async (id) => revealed(message(id, `body ${id}`), 30_000));
    await reveals.reveal('m1');
    await reveals.reveal('m2');
    const before = changes();
    reveals.clear();
    expect(reveals.get('m1')).toEqual({ status: 'hidden' });
    expect(reveals.get('m2')).toEqual({ status: 'hidden' });
    expect(dropped.sort()).toEqual(['body m1', 'body m2']);
    expect(changes()).toBeGreaterThan(before);
    // No timer of a dropped entry fires later.
    vi.advanceTimersByTime(60_000);
    expect(reveals.get('m1')).toEqual({ status: 'hidden' });
  });
});
