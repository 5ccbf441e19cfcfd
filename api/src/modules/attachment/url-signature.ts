// The filesystem store's signed-URL protocol: an HMAC-SHA256 over the method, the object key,
// the expiry and what the URL allows (size and type for a PUT, the download name for a GET).
// Anything changed in the URL changes the signature; an expired URL is refused whatever it says.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SignedFields {
  readonly method: 'PUT' | 'GET';
  readonly key: string;
  /** Unix seconds. */
  readonly expires: number;
  /** PUT: size and content type; GET: the download's file name. */
  readonly terms: readonly string[];
}

function canonical(fields: SignedFields): string {
  return [fields.method, fields.key, String(fields.expires), ...fields.terms].map((part) => encodeURIComponent(part)).join('\n');
}

export function signUrl(secret: Buffer, fields: SignedFields): string {
  return createHmac('sha256', secret).update(canonical(fields)).digest('base64url');
}

export type SignatureVerdict = 'valid' | 'tampered' | 'expired';

export function verifyUrl(secret: Buffer, fields: SignedFields, signature: string, nowSeconds = Math.floor(Date.now() / 1000)): SignatureVerdict {
  const expected = Buffer.from(signUrl(secret, fields));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'tampered';
  if (!Number.isSafeInteger(fields.expires) || fields.expires < nowSeconds) return 'expired';
  return 'valid';
}
