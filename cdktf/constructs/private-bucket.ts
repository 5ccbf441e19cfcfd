// What every bucket of the stack shares: no public access, ACLs off, encrypted at rest, and a
// policy statement that refuses plain-HTTP requests. The resources are created in the calling
// construct's scope, so their Terraform addresses stay those of the calling construct.
import type { Construct } from 'constructs';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA, type S3BucketServerSideEncryptionConfigurationRuleA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';

export interface PrivateBucketProps {
  readonly bucketPrefix: string;
  readonly forceDestroy?: boolean;
  readonly encryption: S3BucketServerSideEncryptionConfigurationRuleA;
}

export function privateBucket(scope: Construct, props: PrivateBucketProps): S3Bucket {
  const bucket = new S3Bucket(scope, 'bucket', { bucketPrefix: props.bucketPrefix, forceDestroy: props.forceDestroy ?? false });
  new S3BucketPublicAccessBlock(scope, 'public-access', {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketOwnershipControls(scope, 'ownership', { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } });
  new S3BucketServerSideEncryptionConfigurationA(scope, 'encryption', { bucket: bucket.id, rule: [props.encryption] });
  return bucket;
}

/** The bucket-policy statement that refuses any request not made over TLS. */
export function denyInsecureTransport(bucketArn: string) {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}
