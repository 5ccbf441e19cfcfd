// Keeps webhooks from reaching into our own network (SSRF): loopback, private, link-local
// (with the cloud metadata address 169.254.169.254) and every other non-public range are
// refused, as are schemes other than http and https. URLs are checked when a webhook is
// created, and again on the address each request actually connects to (a DNS lookup hook),
// so a name that later resolves somewhere private (DNS rebinding) gets nowhere either.
import dns from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { badInput } from '../../errors/app-error';

// Two lists: a BlockList also matches IPv4 addresses against IPv4-mapped IPv6 rules.
const NON_PUBLIC_V4 = new BlockList();
const NON_PUBLIC_V6 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) NON_PUBLIC_V4.addSubnet(network, prefix, 'ipv4');
// IPv6 is allowed, not refused, by default: only global unicast (2000::/3) can be public, so
// every form that embeds an IPv4 address outside it (mapped ::ffff:0:0/96, translated
// ::ffff:0:0:0/96, compatible ::/96, NAT64 64:ff9b::/96 and 64:ff9b:1::/48) and every
// range not yet assigned are refused whatever they embed, in any notation. Inside 2000::/3,
// the special ranges (Teredo and other IETF ranges, documentation, 6to4) are refused whole
// rather than unpacked, since no webhook receiver needs them.
const GLOBAL_UNICAST_V6 = new BlockList();
GLOBAL_UNICAST_V6.addSubnet('2000::', 3, 'ipv6');
for (const [network, prefix] of [
  ['::', 96], ['::ffff:0:0', 96], ['::ffff:0:0:0', 96], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23],
  ['2001:db8::', 32], ['2002::', 16], ['3fff::', 20], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) NON_PUBLIC_V6.addSubnet(network, prefix, 'ipv6');

export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 4) return !NON_PUBLIC_V4.check(address, 'ipv4');
  return GLOBAL_UNICAST_V6.check(address, 'ipv6') && !NON_PUBLIC_V6.check(address, 'ipv6');
}

export class RefusedTargetError extends Error {
  readonly code = 'EREFUSEDTARGET';
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** A webhook URL fit to store: http(s), no credentials, and (unless allowed) public addresses only. */
export async function checkTargetUrl(raw: string, allowPrivate: boolean): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw badInput('url', 'url must be an absolute http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badInput('url', 'url must use http or https');
  if (url.username || url.password) throw badInput('url', 'url must not carry credentials');
  if (raw.length > 2048) throw badInput('url', 'url must be at most 2048 characters');
  if (allowPrivate) return url;
  const host = hostOf(url);
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await dns.promises.lookup(host, { all: true })).map((entry) => entry.address);
  } catch {
    throw badInput('url', `url's host ${host} does not resolve`);
  }
  const refused = addresses.find((address) => !isPublicAddress(address));
  if (refused) throw badInput('url', `url must reach a public address; ${host} is ${refused} (loopback, private or link-local)`);
  return url;
}

/** The check at send time, for an IP literal (which skips DNS and so the lookup hook). */
export function assertPublicHost(url: URL, allowPrivate: boolean): void {
  const host = hostOf(url);
  if (!allowPrivate && isIP(host) && !isPublicAddress(host)) throw new RefusedTargetError(`refused: ${host} is not a public address`);
}

/** A dns.lookup for http.request that refuses names resolving to non-public addresses. */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      const done = callback as (error: Error | null, address: string | dns.LookupAddress[], family?: number) => void;
      if (error) return done(error, '');
      const refused = allowPrivate ? undefined : addresses.find((entry) => !isPublicAddress(entry.address));
      if (refused) return done(new RefusedTargetError(`refused: ${hostname} resolves to ${refused.address}, not a public address`), '');
      if (options.all) return done(null, addresses);
      const first = addresses[0];
      if (!first) return done(new RefusedTargetError(`refused: ${hostname} has no address`), '');
      done(null, first.address, first.family);
    });
  };
}
