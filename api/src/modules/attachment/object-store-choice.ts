// The one place that picks the store: S3 when ATTACHMENTS_BUCKET is set, the filesystem otherwise.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { AttachmentSettings } from '../../config';
import { FilesystemStore } from './filesystem-store';
import type { ObjectStore } from './object-store';
import { S3Store } from './s3-store';

export function createObjectStore(settings: AttachmentSettings): ObjectStore {
  if (settings.bucket) return new S3Store({ bucket: settings.bucket, region: settings.region, endpoint: settings.s3Endpoint });
  // Without a configured secret, URLs signed by this process are valid for it alone.
  const secret = settings.signingSecret ? Buffer.from(settings.signingSecret) : randomBytes(32);
  return new FilesystemStore(resolve(settings.directory), secret, settings.publicUrl ?? '');
}
