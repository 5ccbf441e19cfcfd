// Attachment settings and the filesystem store's URL signatures: pure rules, no server.
import { ConfigError, loadConfig } from '../../src/config';
import { signUrl, verifyUrl, type SignedFields } from '../../src/modules/attachment/url-signature';
import { objectKeyOf } from '../../src/modules/attachment/object-store';

const secret = Buffer.from('unit-test-signing-secret-0123456789abcdef');
const now = 1_800_000_000;
const fields: SignedFields = { method: 'PUT', key: 'k', expires: now + 60, terms: ['10', 'text/plain'] };

test('a signature verifies only for exactly what was signed, and not after it expires', () => {
  const signature = signUrl(secret, fields);
  expect(verifyUrl(secret, fields, signature, now)).toBe('valid');
  expect(verifyUrl(secret, { ...fields, terms: ['11', 'text/plain'] }, signature, now)).toBe('tampered');
  expect(verifyUrl(secret, { ...fields, terms: ['10', 'text/html'] }, signature, now)).toBe('tampered');
  expect(verifyUrl(secret, { ...fields, method: 'GET' }, signature, now)).toBe('tampered');
  expect(verifyUrl(secret, { ...fields, expires: now + 3600 }, signature, now)).toBe('tampered');
  expect(verifyUrl(Buffer.from('another-secret-of-enough-length-000000'), fields, signature, now)).toBe('tampered');
  expect(verifyUrl(secret, fields, signature, now + 61)).toBe('expired');
  expect(verifyUrl(secret, fields, '', now)).toBe('tampered');
});

test('terms cannot be shifted from one field into the next', () => {
  const a = signUrl(secret, { ...fields, terms: ['1', '0\ntext/plain'] });
  expect(a).not.toBe(signUrl(secret, { ...fields, terms: ['1\n0', 'text/plain'] }));
});

test('object keys are made of ids only', () => {
  const id = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
  expect(objectKeyOf(id, id, id)).toBe(`${id}/${id}/${id}`);
  expect(() => objectKeyOf(id, id, '../../etc/passwd')).toThrow();
});

test('attachment settings have documented defaults and refuse bad values', () => {
  const { attachments } = loadConfig({});
  expect(attachments).toMatchObject({ bucket: undefined, directory: '.data/attachments', maxBytes: 25 * 1024 * 1024, maxPerIssue: 50, uploadTtlSeconds: 900, downloadTtlSeconds: 300 });
  expect(attachments.contentTypes).toContain('application/pdf');
  expect(loadConfig({ ATTACHMENTS_BUCKET: 'b', AWS_REGION: 'eu-west-1', ATTACHMENT_CONTENT_TYPES: 'Image/PNG, text/plain' }).attachments).toMatchObject({
    bucket: 'b',
    region: 'eu-west-1',
    contentTypes: ['image/png', 'text/plain'],
  });
  expect(() => loadConfig({ ATTACHMENT_CONTENT_TYPES: 'text' })).toThrow(ConfigError);
  expect(() => loadConfig({ ATTACHMENTS_SIGNING_SECRET: 'short' })).toThrow(ConfigError);
  expect(() => loadConfig({ ATTACHMENT_MAX_BYTES: '0' })).toThrow(ConfigError);
  expect(() => loadConfig({ ATTACHMENTS_PUBLIC_URL: 'ftp://x' })).toThrow(ConfigError);
});
