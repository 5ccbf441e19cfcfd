// The embedded default: objects are files under a folder, uploaded and downloaded through this
// API's own routes (filesystem-routes.ts) with the signed-URL protocol of url-signature.ts, so
// clients speak the same protocol as with S3. Each object has a small JSON sidecar holding
// the content type it was uploaded with (S3 keeps that as object metadata).
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { OBJECT_KEY, type ObjectFacts, type ObjectStore, type PresignedUpload } from './object-store';
import { signUrl } from './url-signature';

export const OBJECT_ROUTE = '/attachments/objects';

export class FilesystemStore implements ObjectStore {
  constructor(
    readonly directory: string,
    readonly secret: Buffer,
    /** Put in front of the route; '' gives URLs relative to the API's origin. */
    private readonly publicUrl: string,
  ) {}

  /** The file of a key; refuses anything that is not a key we make (no path games). */
  pathOf(key: string): string {
    if (!OBJECT_KEY.test(key)) throw new Error('not an object key');
    return join(this.directory, ...key.split('/'));
  }

  private factsPath(key: string): string {
    return `${this.pathOf(key)}.json`;
  }

  async presignPut(key: string, facts: ObjectFacts, ttlSeconds: number): Promise<PresignedUpload> {
    const expires = Math.floor(Date.now() / 1000) + ttlSeconds;
    const terms = [String(facts.size), facts.contentType];
    const signature = signUrl(this.secret, { method: 'PUT', key, expires, terms });
    const query = new URLSearchParams({ expires: String(expires), size: terms[0]!, type: facts.contentType, signature });
    return {
      url: `${this.publicUrl}${OBJECT_ROUTE}/${key}?${query}`,
      headers: { 'content-type': facts.contentType, 'content-length': String(facts.size) },
      expiresAt: new Date(expires * 1000),
    };
  }

  async presignGet(key: string, fileName: string, ttlSeconds: number): Promise<string> {
    const expires = Math.floor(Date.now() / 1000) + ttlSeconds;
    const signature = signUrl(this.secret, { method: 'GET', key, expires, terms: [fileName] });
    const query = new URLSearchParams({ expires: String(expires), name: fileName, signature });
    return `${this.publicUrl}${OBJECT_ROUTE}/${key}?${query}`;
  }

  async head(key: string): Promise<ObjectFacts | null> {
    try {
      return JSON.parse(await readFile(this.factsPath(key), 'utf8')) as ObjectFacts;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.factsPath(key), { force: true });
    await rm(this.pathOf(key), { force: true });
  }

  /** A temporary file beside the object: renamed into place only once every byte is in. */
  async temporaryPathFor(key: string): Promise<string> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    return `${path}.${randomUUID()}.part`;
  }

  /** The object appears whole: bytes first, then the facts that make `head` see it. */
  async commit(key: string, temporaryPath: string, facts: ObjectFacts): Promise<void> {
    await rename(temporaryPath, this.pathOf(key));
    const factsTemporary = `${temporaryPath}.json`;
    await writeFile(factsTemporary, JSON.stringify(facts));
    await rename(factsTemporary, this.factsPath(key));
  }
}
