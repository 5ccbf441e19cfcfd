// The webhook address guard over every way of writing an internal address that a URL can
// carry: IPv4 in decimal, hex and octal, and IPv6 forms that embed IPv4 (mapped, translated,
// compatible, NAT64, 6to4, Teredo). Each is refused when a webhook is created, and refused
// again at send time, where a refusal is an outcome (never a thrown error).
import { checkTargetUrl, isPublicAddress } from '../../src/modules/webhook/ssrf-guard';
import { postWebhook } from '../../src/modules/webhook/webhook-sender';

const INTERNAL_URLS = [
  'http://127.0.0.1/', 'http://127.1/', 'http://0x7f000001/', 'http://0x7f.0.0.1/', 'http://2130706433/', 'http://017700000001/',
  'http://10.1.2.3/', 'http://169.254.169.254/latest/meta-data/', 'http://0.0.0.0/', 'http://[::1]/', 'http://[::]/',
  'http://[::ffff:127.0.0.1]/', 'http://[::ffff:7f00:1]/', 'http://[0:0:0:0:0:ffff:7f00:1]/', 'http://[::ffff:a9fe:a9fe]/',
  'http://[::ffff:0:7f00:1]/', 'http://[::ffff:0:127.0.0.1]/', 'http://[0:0:0:0:ffff:0:a9fe:a9fe]/',
  'http://[::127.0.0.1]/', 'http://[::7f00:1]/', 'http://[64:ff9b::127.0.0.1]/', 'http://[64:ff9b::7f00:1]/', 'http://[64:ff9b:1::a9fe:a9fe]/',
  'http://[2002:7f00:1::1]/', 'http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/', 'http://[100::1]/', 'http://[fe80::1]/', 'http://[fd00::1]/',
  'http://[fec0::1]/', 'http://[ff02::1]/', 'http://[2001:db8::1]/',
];

test.each(INTERNAL_URLS)('creating a webhook for %s is refused', async (url) => {
  await expect(checkTargetUrl(url, false)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
});

test.each(INTERNAL_URLS)('sending to %s is refused as an outcome, without a request', async (url) => {
  const outcome = await postWebhook(url, '{}', {}, { timeoutMs: 1_000, allowPrivateTargets: false });
  expect(outcome).toMatchObject({ isSuccess: false, isRefused: true, error: expect.stringMatching(/refused/) });
});

test.each(['::ffff:0:7f00:1', '::ffff:0:a00:1', '64:ff9b::808:808', '64:ff9b:1::1', '::808:808', '2002:808:808::1', '3fff::1', '4000::1', 'e000::1'])(
  '%s is not a public address',
  (address) => {
    expect(isPublicAddress(address)).toBe(false);
  },
);

test.each(['8.8.8.8', '2606:4700:4700::1111', '2a00:1450:4001::200e', '2001:4860:4860::8888'])('%s is a public address', (address) => {
  expect(isPublicAddress(address)).toBe(true);
});
