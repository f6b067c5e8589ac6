/**
 * Which address key a sign-in is counted against: IPv4 as is, IPv6 per /64 (a subscriber's block,
 * or a guesser would have 2^64 fresh addresses), IPv4-mapped IPv6 as the IPv4 address.
 */
import { expect, test } from 'vitest';
import { ipKey } from './lockouts.js';

test('IPv6 addresses of one /64 share a key, whatever their spelling; IPv4 and IPv4-mapped addresses are keyed by the address', () => {
  const block = 'ip:2001:db8:1:2::/64';
  for (const ip of ['2001:db8:1:2::1', '2001:0db8:0001:0002:ffff:ffff:ffff:ffff', '2001:DB8:1:2:a:b:c:d', '2001:db8:1:2::', '2001:db8:1:2:0:0:1.2.3.4', '2001:db8:1:2::9%eth0']) {
    expect(ipKey(ip), ip).toBe(block);
  }
  expect(ipKey('2001:db8:1:3::1')).toBe('ip:2001:db8:1:3::/64');
  expect(ipKey('2001:db8::1')).toBe('ip:2001:db8:0:0::/64');
  expect(ipKey('::1')).toBe('ip:0:0:0:0::/64');
  expect(ipKey('203.0.113.7')).toBe('ip:203.0.113.7');
  expect(ipKey('::ffff:203.0.113.7')).toBe('ip:203.0.113.7');
});
