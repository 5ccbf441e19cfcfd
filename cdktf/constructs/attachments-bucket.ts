// Private S3 bucket for issue attachments. Browsers upload and download with pre-signed URLs
// the API signs with its instance role, so the bucket needs CORS for the API's origin but no
// public access, and only the statement attachmentStatements() returns grants anything.
import { Construct } from 'constructs';
import { S3BucketCorsConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-cors-configuration';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import type { PolicyStatement } from './instance-role';
import { denyInsecureTransport, privateBucket } from './private-bucket';

export interface AttachmentsBucketProps {
  /** At most 37 characters; AWS appends a unique suffix. */
  readonly bucketPrefix: string;
  /** Origins browsers upload from (the API's https origin). Empty: no CORS, server-side use only. */
  readonly allowedOrigins: string[];
  /** Multipart uploads never completed are aborted (and their parts deleted) after this. @default 1 */
  readonly abortIncompleteUploadsAfterDays?: number;
  /** Overwritten or deleted versions are kept this long, to undo mistakes. @default 30 */
  readonly noncurrentVersionDays?: number;
  /** Let `destroy` remove a bucket that still holds objects. @default false */
  readonly forceDestroy?: boolean;
}

export class AttachmentsBucket extends Construct {
  readonly bucketName: string;
  readonly bucketArn: string;

  constructor(scope: Construct, id: string, props: AttachmentsBucketProps) {
    super(scope, id);
    const abortDays = props.abortIncompleteUploadsAfterDays ?? 1;
    const noncurrentDays = props.noncurrentVersionDays ?? 30;
    if (props.bucketPrefix.length > 37) throw new Error('AttachmentsBucket: bucketPrefix is longer than 37 characters');
    if (!Number.isInteger(abortDays) || abortDays < 1) throw new Error('AttachmentsBucket: abortIncompleteUploadsAfterDays must be >= 1');
    for (const origin of props.allowedOrigins) {
      if (!/^https:\/\/[a-z0-9.-]+(:\d+)?$/.test(origin)) throw new Error(`AttachmentsBucket: CORS origin "${origin}" must be an https origin without a path or wildcard`);
    }

    const bucket = privateBucket(this, { bucketPrefix: props.bucketPrefix, forceDestroy: props.forceDestroy, encryption: { applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' }, bucketKeyEnabled: true } });
    new S3BucketVersioningA(this, 'versioning', { bucket: bucket.id, versioningConfiguration: { status: 'Enabled' } });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: bucket.id,
      rule: [
        { id: 'abort-unfinished-uploads', status: 'Enabled', filter: [{ prefix: '' }], abortIncompleteMultipartUpload: [{ daysAfterInitiation: abortDays }] },
        { id: 'expire-old-versions', status: 'Enabled', filter: [{ prefix: '' }], noncurrentVersionExpiration: [{ noncurrentDays }] },
      ],
    });
    if (props.allowedOrigins.length > 0) {
      new S3BucketCorsConfiguration(this, 'cors', {
        bucket: bucket.id,
        corsRule: [{
          allowedOrigins: props.allowedOrigins,
          allowedMethods: ['GET', 'PUT', 'HEAD'],
          allowedHeaders: ['content-type', 'content-md5', 'x-amz-checksum-sha256', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-security-token'],
          exposeHeaders: ['ETag'],
          maxAgeSeconds: 3000,
        }],
      });
    }
    new S3BucketPolicy(this, 'policy', {
      bucket: bucket.id,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [denyInsecureTransport(bucket.arn)],
      }),
    });

    this.bucketName = bucket.id;
    this.bucketArn = bucket.arn;
  }
}

/** What the API role may do: read, write and delete objects; it cannot list, or touch the bucket itself. */
export function attachmentStatements(bucketArn: string): PolicyStatement[] {
  return [{ Sid: 'Attachments', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: [`${bucketArn}/*`] }];
}
