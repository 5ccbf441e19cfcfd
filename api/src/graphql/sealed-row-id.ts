// Row ids drawn from a global sequence (issue events, webhook deliveries) would tell a tenant
// how much every other tenant writes: the gap between two of its own ids is everyone's volume.
// Clients therefore see them sealed: the 8-byte id and 8 zero bytes, encrypted as one AES block
// under a key of the instance's secret and the type. Opaque, not orderable from outside, the
// same on every instance, and checked when opened (a forged or foreign value is not an id).
// Ordering, `after` cursors and replay stay on the real ids inside the server.
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';

let secret: Uint8Array = new TextEncoder().encode('tracker-sealed-row-ids-default-key');
const keys = new Map<string, Buffer>();

/** Set once at start from the instance secret (JWT_SECRET), so every instance seals alike. */
export function useSealingSecret(value: Uint8Array): void {
  secret = value;
  keys.clear();
}

function keyFor(type: string): Buffer {
  let key = keys.get(type);
  if (!key) {
    key = createHmac('sha256', secret).update(`sealed-row-id:${type}`).digest().subarray(0, 16);
    keys.set(type, key);
  }
  return key;
}

export function sealRowId(type: string, rowId: bigint | string): string {
  const block = Buffer.alloc(16);
  block.writeBigUInt64BE(BigInt(rowId));
  const cipher = createCipheriv('aes-128-ecb', keyFor(type), null).setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]).toString('base64url');
}

/** The row id inside a sealed value, or null when it is not one of ours for `type`. */
export function openRowId(type: string, sealed: string): bigint | null {
  if (!/^[A-Za-z0-9_-]{22}$/.test(sealed)) return null;
  const decipher = createDecipheriv('aes-128-ecb', keyFor(type), null).setAutoPadding(false);
  const block = Buffer.concat([decipher.update(Buffer.from(sealed, 'base64url')), decipher.final()]);
  if (block.length !== 16 || !block.subarray(8).equals(Buffer.alloc(8))) return null;
  const rowId = block.readBigUInt64BE(0);
  return rowId > 0n && rowId < 2n ** 63n ? rowId : null;
}
