// Production's store: an S3 bucket, reached with the instance role's credentials (the SDK's
// default chain). The PUT URL signs the content type and length, so S3 itself refuses a body
// of another type or size; completeAttachmentUpload still checks with HEAD before the
// attachment becomes visible.
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { attachmentDisposition, type ObjectFacts, type ObjectStore, type PresignedUpload } from './object-store';

export interface S3StoreOptions {
  readonly bucket: string;
  readonly region: string;
  /** An S3-compatible endpoint (tests); path-style addressing then. */
  readonly endpoint?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export class S3Store implements ObjectStore {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(options: S3StoreOptions) {
    this.bucket = options.bucket;
    this.client = new S3Client({
      region: options.region,
      // Otherwise the SDK signs a checksum of the (empty) body into every pre-signed PUT, and
      // S3 refuses the real bytes.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
      ...(options.credentials ? { credentials: { ...options.credentials } } : {}),
    });
  }

  async presignPut(key: string, facts: ObjectFacts, ttlSeconds: number): Promise<PresignedUpload> {
    const command = new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: facts.contentType, ContentLength: facts.size });
    const url = await getSignedUrl(this.client, command, {
      expiresIn: ttlSeconds,
      signableHeaders: new Set(['content-type', 'content-length']),
    });
    return {
      url,
      headers: { 'content-type': facts.contentType, 'content-length': String(facts.size) },
      expiresAt: new Date(Date.now() + ttlSeconds * 1000),
    };
  }

  presignGet(key: string, fileName: string, ttlSeconds: number): Promise<string> {
    const command = new GetObjectCommand({ Bucket: this.bucket, Key: key, ResponseContentDisposition: attachmentDisposition(fileName) });
    return getSignedUrl(this.client, command, { expiresIn: ttlSeconds });
  }

  async head(key: string): Promise<ObjectFacts | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: head.ContentLength ?? -1, contentType: (head.ContentType ?? '').toLowerCase() };
    } catch (error) {
      if (error instanceof S3ServiceException && (error.$metadata.httpStatusCode === 404 || error.name === 'NotFound')) return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  destroy(): void {
    this.client.destroy();
  }
}
