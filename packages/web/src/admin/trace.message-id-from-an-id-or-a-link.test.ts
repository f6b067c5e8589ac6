import { expect, test } from 'vitest';
import { messageIdFrom } from './trace-id';

test('an id, a message link or an id in lower case gives the message id; anything else none', () => {
  const conv = '01JC2ZQ4M8Q6V7W2X9Y0A1B2C3';
  const msg = '01JD4Z3M8Q6V7W2X9Y0A1B2C3D';
  expect(messageIdFrom(msg)).toBe(msg);
  expect(messageIdFrom(`  ${msg.toLowerCase()} `)).toBe(msg);
  // A link names the conversation first and the message last.
  expect(messageIdFrom(`https://chat.example.com/c/${conv}/${msg}`)).toBe(msg);
  expect(messageIdFrom('not a message')).toBeNull();
  expect(messageIdFrom('')).toBeNull();
});
