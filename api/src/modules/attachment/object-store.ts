// Where attachment bytes live. The API only signs URLs and checks what arrived: bytes go from
// the client straight to the store (S3 in AWS, a folder served by this API otherwise).
export interface ObjectFacts {
  readonly size: number;
  readonly contentType: string;
}

export interface PresignedUpload {
  readonly url: string;
  /** Headers the client must send with its PUT (they are part of what was signed). */
  readonly headers: Readonly<Record<string, string>>;
  readonly expiresAt: Date;
}

export interface ObjectStore {
  /** A PUT URL for exactly `facts.size` bytes of `facts.contentType` at `key`. */
  presignPut(key: string, facts: ObjectFacts, ttlSeconds: number): Promise<PresignedUpload>;
  /** A GET URL that serves the object as a download named `fileName`. */
  presignGet(key: string, fileName: string, ttlSeconds: number): Promise<string>;
  /** What is stored at `key`, or null when nothing is. */
  head(key: string): Promise<ObjectFacts | null>;
  /** Idempotent: deleting a missing object succeeds. */
  delete(key: string): Promise<void>;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
export const OBJECT_KEY = new RegExp(`^${UUID}/${UUID}/${UUID}$`);

/** `<orgId>/<issueId>/<attachmentId>`: never a user-supplied name. */
export function objectKeyOf(orgId: string, issueId: string, attachmentId: string): string {
  const key = `${orgId}/${issueId}/${attachmentId}`;
  if (!OBJECT_KEY.test(key)) throw new Error(`not an object key: ${key}`);
  return key;
}

/** Content-Disposition for a download: an ASCII fallback plus the exact name (RFC 6266). */
export function attachmentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
