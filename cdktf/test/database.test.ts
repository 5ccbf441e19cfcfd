import { DEFAULTS } from '../config';
import { BOTH, only, synthesized, target } from './synthesized';

describe.each(BOTH)('database in %s', (environment) => {
  const json = synthesized(environment);
  const config = DEFAULTS[environment].db;
  const db = only(json, 'aws_db_instance');
  const isProd = environment === 'prod';

  it('is PostgreSQL 17 (the embedded default\'s major), private and encrypted', () => {
    expect(db.engine).toBe('postgres');
    expect(db.engine_version).toMatch(/^17(\.|$)/);
    expect(db.publicly_accessible).toBe(false);
    expect(db.storage_encrypted).toBe(true);
    expect(db.storage_type).toBe('gp3');
  });

  it('lets RDS keep the master password in Secrets Manager', () => {
    expect(db.manage_master_user_password).toBe(true);
    expect(db.password).toBeUndefined();
  });

  it(`is ${isProd ? '' : 'not '}Multi-AZ and ${isProd ? '' : 'not '}protected from deletion`, () => {
    expect(db.multi_az).toBe(isProd);
    expect(db.deletion_protection).toBe(isProd);
    expect(db.skip_final_snapshot).toBe(!isProd);
    if (isProd) expect(db.final_snapshot_identifier).toBe('tracker-prod-final');
    expect(db.backup_retention_period).toBe(config.backupRetentionDays);
    expect(db.instance_class).toBe(config.instanceClass);
    expect(db.allocated_storage).toBe(config.allocatedStorageGb);
  });

  it('forces TLS through its parameter group', () => {
    const group = target(json, `\${aws_db_parameter_group.${Object.keys(json.resource.aws_db_parameter_group)[0]}.name}`).body;
    expect(db.parameter_group_name).toMatch(/^\$\{aws_db_parameter_group\./);
    expect(group.family).toBe('postgres17');
    // A fixed name would block the next major upgrade (old and new group must coexist).
    expect(group.name).toBeUndefined();
    expect(group.name_prefix).toBe(`tracker-${environment}-pg17-`);
    expect(group.lifecycle).toEqual({ create_before_destroy: true });
    expect(group.parameter).toContainEqual({ name: 'rds.force_ssl', value: '1' });
  });

  it('has Performance Insights on and exports its logs to CloudWatch with a retention', () => {
    expect(db.performance_insights_enabled).toBe(true);
    expect(db.enabled_cloudwatch_logs_exports).toEqual(expect.arrayContaining(['postgresql']));
    for (const dependency of db.depends_on as string[]) {
      const group = json.resource.aws_cloudwatch_log_group[dependency.split('.')[1]];
      expect(group.name).toMatch(/^\/aws\/rds\/instance\/tracker-\w+\//);
      expect(group.retention_in_days).toBeGreaterThan(0);
    }
  });

  it('lives in the private subnets', () => {
    const subnetGroup = target(json, db.db_subnet_group_name.replace('.name}', '.id}')).body;
    const tiers = (subnetGroup.subnet_ids as string[]).map((id) => target(json, id).body.tags.Tier);
    expect(tiers).toEqual(Array(DEFAULTS[environment].azCount).fill('private'));
  });
});
