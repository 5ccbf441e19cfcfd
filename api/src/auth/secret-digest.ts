// Secrets we hand out (refresh and API tokens) are stored only as SHA-256 digests.
import { createHash, randomBytes } from 'node:crypto';

export function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
