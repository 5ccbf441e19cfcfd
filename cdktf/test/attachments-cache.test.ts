// The components other parts of the API rely on: the Valkey cache for shared rate limits and
// the attachments bucket, and what the instances are told about them.
import { BOTH, type Body, only, ref, resources, synthesized, target } from './synthesized';

describe.each(BOTH)('cache and attachments in %s', (environment) => {
  const json = synthesized(environment);
  const parameter = (key: string) => resources(json, 'aws_ssm_parameter').find(([, p]) => p.name === `/tracker/${environment}/env/${key}`)?.[1].value;
  const [[bucketName, bucket]] = resources(json, 'aws_s3_bucket').filter(([, b]) => b.bucket_prefix === `tracker-${environment}-attachments-`);
  const ofBucket = (type: string) => resources(json, type).filter(([, r]) => r.bucket === ref('aws_s3_bucket', bucketName)).map(([, r]) => r);

  it('runs Valkey encrypted in transit and at rest, in private subnets, with failover in prod', () => {
    const cache = only(json, 'aws_elasticache_replication_group');
    expect(cache).toMatchObject({ engine: 'valkey', at_rest_encryption_enabled: 'true', transit_encryption_enabled: true, transit_encryption_mode: 'required' });
    expect(cache.num_cache_clusters).toBe(environment === 'prod' ? 2 : 1);
    expect(cache.automatic_failover_enabled).toBe(environment === 'prod');
    const subnets = target(json, cache.subnet_group_name.replace('.name}', '.id}')).body.subnet_ids as string[];
    for (const id of subnets) expect(target(json, id).body.tags.Tier).toBe('private');
  });

  it('hands the instances a TLS REDIS_URL and the bucket name', () => {
    expect(parameter('REDIS_URL')).toMatch(/^rediss:\/\/\$\{aws_elasticache_replication_group\.[^.]+\.primary_endpoint_address\}:6379$/);
    expect(parameter('ATTACHMENTS_BUCKET')).toBe(ref('aws_s3_bucket', bucketName));
    expect(parameter('AWS_REGION')).toBe('eu-west-1');
  });

  it('keeps the attachments bucket private, encrypted and TLS-only', () => {
    expect(bucket.force_destroy).toBe(environment !== 'prod');
    expect(ofBucket('aws_s3_bucket_public_access_block')).toEqual([expect.objectContaining({
      block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true,
    })]);
    expect(ofBucket('aws_s3_bucket_ownership_controls')[0].rule.object_ownership).toBe('BucketOwnerEnforced');
    expect(ofBucket('aws_s3_bucket_server_side_encryption_configuration')[0].rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe('aws:kms');
    const policy = JSON.parse(ofBucket('aws_s3_bucket_policy')[0].policy);
    expect(policy.Statement).toEqual([expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]);
    // No Allow in the bucket policy: access comes only from the API role's object-level grant.
    expect(policy.Statement.filter((s: Body) => s.Effect === 'Allow')).toEqual([]);
  });

  it('aborts unfinished uploads and allows browser uploads from the API origin only', () => {
    const rules = ofBucket('aws_s3_bucket_lifecycle_configuration')[0].rule as Body[];
    expect(rules.find((r) => r.abort_incomplete_multipart_upload)?.abort_incomplete_multipart_upload).toEqual([{ days_after_initiation: 1 }]);
    const cors = ofBucket('aws_s3_bucket_cors_configuration');
    if (environment === 'prod') {
      expect(cors[0].cors_rule).toEqual([expect.objectContaining({ allowed_origins: ['https://api.tracker.test'], allowed_methods: ['GET', 'PUT', 'HEAD'] })]);
    } else {
      expect(cors).toEqual([]);
    }
  });
});
