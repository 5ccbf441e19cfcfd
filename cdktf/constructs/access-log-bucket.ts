// Private S3 bucket that the load balancer may write its access logs to.
import { Construct } from 'constructs';
import { DataAwsElbServiceAccount } from '@cdktf/provider-aws/lib/data-aws-elb-service-account';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { ITerraformDependable } from 'cdktf';

export interface AccessLogBucketProps {
  /** At most 37 characters; AWS appends a unique suffix. */
  readonly bucketPrefix: string;
  /** Key prefix the load balancer writes under. @default 'alb' */
  readonly keyPrefix?: string;
  /** @default 90 */
  readonly expireAfterDays?: number;
  /** Let `destroy` remove a bucket that still holds logs. @default false */
  readonly forceDestroy?: boolean;
}

export class AccessLogBucket extends Construct {
  readonly bucketName: string;
  readonly keyPrefix: string;
  /** The load balancer must wait for this: AWS checks write access when logging is enabled. */
  readonly policy: ITerraformDependable;

  constructor(scope: Construct, id: string, props: AccessLogBucketProps) {
    super(scope, id);
    const keyPrefix = props.keyPrefix ?? 'alb';
    const expireAfterDays = props.expireAfterDays ?? 90;
    if (props.bucketPrefix.length > 37) throw new Error('AccessLogBucket: bucketPrefix is longer than 37 characters');
    if (!Number.isInteger(expireAfterDays) || expireAfterDays < 1) throw new Error('AccessLogBucket: expireAfterDays must be >= 1');

    const bucket = new S3Bucket(this, 'bucket', { bucketPrefix: props.bucketPrefix, forceDestroy: props.forceDestroy ?? false });
    new S3BucketPublicAccessBlock(this, 'public-access', {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'ownership', {
      bucket: bucket.id,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    // ALB log delivery supports only SSE-S3, not KMS.
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: bucket.id,
      rule: [{ id: 'expire-logs', status: 'Enabled', filter: [{ prefix: '' }], expiration: [{ days: expireAfterDays }] }],
    });

    // Older regions deliver as the regional ELB account, newer ones as the service principal.
    const elbAccount = new DataAwsElbServiceAccount(this, 'elb-account');
    const writeLogs = (principal: Record<string, string>) => ({
      Effect: 'Allow',
      Principal: principal,
      Action: 's3:PutObject',
      Resource: `${bucket.arn}/${keyPrefix}/AWSLogs/*`,
    });
    this.policy = new S3BucketPolicy(this, 'policy', {
      bucket: bucket.id,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          writeLogs({ AWS: elbAccount.arn }),
          writeLogs({ Service: 'logdelivery.elasticloadbalancing.amazonaws.com' }),
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [bucket.arn, `${bucket.arn}/*`],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      }),
    });
    this.bucketName = bucket.id;
    this.keyPrefix = keyPrefix;
  }
}
