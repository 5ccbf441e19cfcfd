import { BOTH, only, synthesized } from './synthesized';

describe.each(BOTH)('registry in %s', (environment) => {
  const json = synthesized(environment);
  const repository = only(json, 'aws_ecr_repository');

  it('keeps tags immutable and scans every pushed image', () => {
    expect(repository.image_tag_mutability).toBe('IMMUTABLE');
    expect(repository.image_scanning_configuration).toEqual({ scan_on_push: true });
    expect(repository.encryption_configuration).toEqual([{ encryption_type: 'AES256' }]);
  });

  it('expires untagged images and keeps a bounded number of tagged ones', () => {
    const { rules } = JSON.parse(only(json, 'aws_ecr_lifecycle_policy').policy) as { rules: { selection: Record<string, unknown>; action: { type: string } }[] };
    expect(rules.map((rule) => [rule.selection.tagStatus, rule.selection.countType, rule.action.type])).toEqual([
      ['untagged', 'sinceImagePushed', 'expire'],
      ['any', 'imageCountMoreThan', 'expire'],
    ]);
    for (const rule of rules) expect(rule.selection.countNumber).toBeGreaterThan(0);
  });
});
