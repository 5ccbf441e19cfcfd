// The API token format: `trk_` + 30 base62 + the base62 CRC32 of those 30, so a typo is caught
// before any database lookup and secret scanners can recognise a leaked token.
import { crc32 } from 'node:zlib';
import { API_TOKEN_PREFIX, generateApiToken, isWellFormedApiToken, looksLikeApiToken } from '../../src/auth/api-token-format';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

test('the checksum is the standard CRC32 (check values)', () => {
  expect(crc32('123456789')).toBe(0xcbf43926);
  expect(crc32('')).toBe(0);
  expect(crc32('The quick brown fox jumps over the lazy dog')).toBe(0x414fa339);
});

test('generated tokens are trk_ + 36 base62 characters, well formed and all different', () => {
  const tokens = Array.from({ length: 2000 }, generateApiToken);
  for (const token of tokens) {
    expect(token).toMatch(/^trk_[0-9A-Za-z]{36}$/);
    expect(isWellFormedApiToken(token)).toBe(true);
    expect(looksLikeApiToken(token)).toBe(true);
  }
  expect(new Set(tokens).size).toBe(tokens.length);
});

test('the last six characters are the base62 CRC32 of the thirty random ones', () => {
  const token = generateApiToken();
  const random = token.slice(API_TOKEN_PREFIX.length, API_TOKEN_PREFIX.length + 30);
  let value = 0;
  for (const char of token.slice(-6)) value = value * 62 + BASE62.indexOf(char);
  expect(value).toBe(crc32(random));
});

test('every single-character typo anywhere after the prefix is rejected', () => {
  const token = generateApiToken();
  for (let position = API_TOKEN_PREFIX.length; position < token.length; position++) {
    for (const replacement of BASE62) {
      if (replacement === token[position]) continue;
      const typo = token.slice(0, position) + replacement + token.slice(position + 1);
      if (isWellFormedApiToken(typo)) throw new Error(`typo at ${position} (${replacement}) accepted: ${typo}`);
    }
  }
});

test('two swapped neighbours, a wrong prefix, a wrong length or a foreign character are rejected', () => {
  let token = generateApiToken();
  while (token[10] === token[11]) token = generateApiToken();
  expect(isWellFormedApiToken(token.slice(0, 10) + token[11] + token[10] + token.slice(12))).toBe(false);
  expect(isWellFormedApiToken(`xyz_${token.slice(4)}`)).toBe(false);
  expect(isWellFormedApiToken(token.slice(0, -1))).toBe(false);
  expect(isWellFormedApiToken(`${token}0`)).toBe(false);
  expect(isWellFormedApiToken(`${token.slice(0, 20)}-${token.slice(21)}`)).toBe(false);
  expect(isWellFormedApiToken(` ${token}`)).toBe(false);
});

test('anything that does not start with trk_ is taken for a JWT instead', () => {
  expect(looksLikeApiToken('eyJhbGciOiJIUzI1NiJ9.e30.x')).toBe(false);
  expect(looksLikeApiToken('TRK_abc')).toBe(false);
});
