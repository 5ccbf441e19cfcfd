// The response-size arithmetic: measured bytes are exactly what JSON.stringify would send, and
// the budgets' settings cannot be set so that one operation or response never fits.
import { ConfigError, loadConfig } from '../../src/config';
import { jsonBytes, jsonStringBytes } from '../../src/graphql/json-size';

const exact = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

test.each([
  ['plain', 'hello world'],
  ['escapes', 'quote " backslash \\ newline \n tab \t'],
  ['control characters', '\u0001\u0002\u001f\u007f'],
  ['multi-byte', 'café – 日本語'],
  ['surrogate pair', 'rocket \ud83d\ude80'],
  ['lone surrogates', 'a\ud800b\udc00c'],
])('a %s string measures as JSON.stringify writes it', (_name, text) => {
  expect(jsonStringBytes(text)).toBe(exact(text));
});

test('a result measures as JSON.stringify writes it, and the count stops past the limit', () => {
  const result = { data: { issues: { edges: [{ node: { key: 'WEB-1', n: 1.5, ok: true, none: null, skip: undefined } }, { node: { key: 'WEB-"2"', list: [1, 'x', [], {}] } }] } }, extensions: { cost: 12 } };
  expect(jsonBytes(result)).toBe(exact(result));
  const big = { text: 'x'.repeat(10_000), more: 'y'.repeat(10_000) };
  expect(jsonBytes(big, 100)).toBeGreaterThan(100);
  expect(jsonBytes(big, 100)).toBeLessThan(exact(big));
});

const base = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), DATABASE_URL: 'postgresql://a@b/c' };

test('the response pool must hold at least one response, the cost budget at least one operation', () => {
  expect(() => loadConfig({ ...base, RESPONSE_MAX_BYTES: '2048', RESPONSE_BUDGET_BYTES: '1024' })).toThrow(ConfigError);
  expect(() => loadConfig({ ...base, GRAPHQL_MAX_COST: '5000', GRAPHQL_COST_IN_FLIGHT: '4999' })).toThrow(ConfigError);
  // Unset, the in-flight budget grows with a raised limit.
  expect(loadConfig({ ...base, GRAPHQL_MAX_COST: '50000' }).limits.costInFlight).toBe(50_000);
  expect(loadConfig(base).limits).toMatchObject({ maxCost: 5000, costInFlight: 20_000, costQueueMs: 5000, maxResponseBytes: 8 * 1024 * 1024, responseBudgetBytes: 32 * 1024 * 1024 });
});
