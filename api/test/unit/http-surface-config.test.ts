// The HTTP surface's settings: CORS origins, Redis, rate limits and proxy hops, with their
// defaults per environment and clear refusals of values that could never work.
import { ConfigError, loadConfig } from '../../src/config';

const PROD = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), DATABASE_URL: 'postgresql://a@b/c' };

test('development allows the usual local dev origins; production none', () => {
  expect(loadConfig({}).corsOrigins).toEqual(['http://localhost:5173', 'http://localhost:3000', 'http://127.0.0.1:5173', 'http://127.0.0.1:3000']);
  expect(loadConfig(PROD).corsOrigins).toEqual([]);
  expect(loadConfig({ ...PROD, CORS_ORIGINS: 'https://app.example.com, https://admin.example.com' }).corsOrigins).toEqual(['https://app.example.com', 'https://admin.example.com']);
  expect(loadConfig({ CORS_ORIGINS: '' }).corsOrigins).toEqual([]);
  expect(loadConfig({ CORS_ORIGINS: '*' }).corsOrigins).toEqual(['*']);
});

test.each(['https://app.example.com/', 'app.example.com', 'https://app.example.com/path', 'ftp://files.example.com'])('CORS_ORIGINS=%s is refused', (value) => {
  expect(() => loadConfig({ CORS_ORIGINS: value })).toThrow(ConfigError);
});

test('REDIS_URL: unset means in-process limits; it must be a redis:// or rediss:// URL', () => {
  expect(loadConfig({}).redisUrl).toBeUndefined();
  expect(loadConfig({ REDIS_URL: 'rediss://cache.internal:6379/0' }).redisUrl).toBe('rediss://cache.internal:6379/0');
  expect(() => loadConfig({ REDIS_URL: 'http://cache.internal:6379' })).toThrow(/REDIS_URL/);
  expect(() => loadConfig({ REDIS_URL: 'redis://:secret@cache.internal:6379/x' })).toThrow(/redis:\/\/:\*\*\*@/);
});

test('rate limits default to budgets a real client would not hit by accident', () => {
  const { rateLimits } = loadConfig({});
  expect(rateLimits).toMatchObject({ windowSeconds: 60, callerPoints: 100_000, organizationPoints: 500_000, anonymousPoints: 5_000, mutationMinimumCost: 10 });
  // The largest document the cost limit lets through fits many times into a caller's window.
  expect(rateLimits.callerPoints / loadConfig({}).limits.maxCost).toBeGreaterThanOrEqual(20);
});

test('one trusted proxy hop in production (the load balancer), none elsewhere', () => {
  expect(loadConfig(PROD).trustProxyHops).toBe(1);
  expect(loadConfig({}).trustProxyHops).toBe(0);
  expect(loadConfig({ TRUST_PROXY_HOPS: '2' }).trustProxyHops).toBe(2);
});
