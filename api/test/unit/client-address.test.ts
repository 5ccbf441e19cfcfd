// The key log-in limits count a client under: an IPv4 address, or an IPv6 client's /64.
import { clientAddressKey } from '../../src/auth/client-address';

test.each([
  ['127.0.0.1', '127.0.0.1'],
  ['::ffff:10.0.0.5', '10.0.0.5'],
  ['2001:db8:0:1:aaaa::1', '2001:db8:0:1::/64'],
  ['2001:0db8:0000:0001:ffff:0:0:2', '2001:db8:0:1::/64'],
  ['2001:db8::1', '2001:db8:0:0::/64'],
  ['::1', '0:0:0:0::/64'],
  ['not an address', 'unknown'],
  [undefined, 'unknown'],
])('%s counts as %s', (ip, key) => {
  expect(clientAddressKey(ip)).toBe(key);
});

test('addresses within one IPv6 /64 share a key; neighbouring /64s do not', () => {
  expect(clientAddressKey('2001:db8:1:2:3:4:5:6')).toBe(clientAddressKey('2001:db8:1:2:ffff:ffff:ffff:ffff'));
  expect(clientAddressKey('2001:db8:1:2::1')).not.toBe(clientAddressKey('2001:db8:1:3::1'));
});
