// The pure parts of webhook delivery: the signature a receiver checks, the address ranges the
// SSRF guard refuses, and the retry schedule.
import { isPublicAddress } from '../../src/modules/webhook/ssrf-guard';
import { retryDelayMs } from '../../src/modules/webhook/retry-schedule';
import { signatureHeader, verifySignature } from '../../src/modules/webhook/webhook-signer';

const secret = 'whsec_test-secret';
const body = JSON.stringify({ id: 'SXNzdWVFdmVudDox', kind: 'CREATED' });

test('a signature verifies with the secret and body it was made from, and with nothing else', () => {
  const header = signatureHeader(secret, body, 1_700_000_000);
  expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
  expect(verifySignature(secret, body, header, { now: 1_700_000_010 })).toBe(true);
  expect(verifySignature('whsec_other', body, header, { now: 1_700_000_010 })).toBe(false);
  expect(verifySignature(secret, `${body} `, header, { now: 1_700_000_010 })).toBe(false);
  expect(verifySignature(secret, body, header.replace('t=1700000000', 't=1700000001'), { now: 1_700_000_010 })).toBe(false);
  expect(verifySignature(secret, body, undefined)).toBe(false);
  expect(verifySignature(secret, body, 'v1=abc')).toBe(false);
});

test('a receiver rejects a signature older (or newer) than its tolerance, so a captured request cannot be replayed later', () => {
  const header = signatureHeader(secret, body, 1_700_000_000);
  expect(verifySignature(secret, body, header, { now: 1_700_000_300 })).toBe(true);
  expect(verifySignature(secret, body, header, { now: 1_700_000_301 })).toBe(false);
  expect(verifySignature(secret, body, header, { now: 1_699_999_000 })).toBe(false);
  expect(verifySignature(secret, body, header, { now: 1_700_000_900, toleranceSeconds: 1_000 })).toBe(true);
});

test.each([
  '127.0.0.1', '127.255.0.9', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0',
  '224.0.0.1', '255.255.255.255', '::1', '::', '::ffff:127.0.0.1', '::ffff:a9fe:a9fe', '64:ff9b::a9fe:a9fe', 'fe80::1', 'fd12:3456::1', 'ff02::1', 'not-an-ip',
])('%s is not a public address', (address) => {
  expect(isPublicAddress(address)).toBe(false);
});

test.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '93.184.216.34', '2606:4700:4700::1111', '2a00:1450:4001::200e'])('%s is a public address', (address) => {
  expect(isPublicAddress(address)).toBe(true);
});

test('retries back off exponentially with jitter, never beyond the cap', () => {
  const policy = { retryBaseMs: 1_000, retryMaxMs: 60_000 };
  expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, policy, () => 1))).toEqual([1_000, 2_000, 4_000, 8_000]);
  expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, policy, () => 0))).toEqual([500, 1_000, 2_000, 4_000]);
  expect(retryDelayMs(30, policy, () => 1)).toBe(60_000);
  expect(retryDelayMs(200, policy, () => 0.5)).toBe(45_000);
});
