// Private S3 bucket that the load balancer may write its access logs to.
import { Construct } from 'constructs';
import { DataAwsElbServiceAccount } from '@cdktf/provider-aws/lib/data-aws-elb-service-account';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { ITerraformDependable } from 'cdktf';
import { denyInsecureTransport, privateBucket } from './private-bucket';

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

    // ALB log delivery supports only SSE-S3, not KMS.
    const bucket = privateBucket(this, { bucketPrefix: props.bucketPrefix, forceDestroy: props.forceDestroy, encryption: { applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } } });
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
          denyInsecureTransport(bucket.arn),
        ],
      }),
    });
    this.bucketName = bucket.id;
    this.keyPrefix = keyPrefix;
  }
}
