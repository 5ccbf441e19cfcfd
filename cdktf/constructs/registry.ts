// ECR repository for the API image. Tags are immutable so a tag names one build forever,
// which is what makes rollbacks and "which image is running" answerable.
import { Construct } from 'constructs';
import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';

export interface RegistryProps {
  readonly repositoryName: string;
  /** Tagged images to keep; older ones are expired. @default 30 */
  readonly keepTaggedImages?: number;
  /** Days before untagged images (failed or superseded pushes) are expired. @default 7 */
  readonly untaggedExpiryDays?: number;
  /** Let `destroy` delete a repository that still holds images. @default false */
  readonly forceDelete?: boolean;
}

export class Registry extends Construct {
  readonly repositoryUrl: string;
  readonly repositoryArn: string;
  readonly repositoryName: string;

  constructor(scope: Construct, id: string, props: RegistryProps) {
    super(scope, id);
    const keep = props.keepTaggedImages ?? 30;
    const untaggedDays = props.untaggedExpiryDays ?? 7;
    if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/.test(props.repositoryName)) {
      throw new Error(`Registry: invalid repository name "${props.repositoryName}"`);
    }
    if (!Number.isInteger(keep) || keep < 1) throw new Error(`Registry: keepTaggedImages must be >= 1 (got ${keep})`);
    if (!Number.isInteger(untaggedDays) || untaggedDays < 1) {
      throw new Error(`Registry: untaggedExpiryDays must be >= 1 (got ${untaggedDays})`);
    }

    const repository = new EcrRepository(this, 'repository', {
      name: props.repositoryName,
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: 'AES256' }],
      forceDelete: props.forceDelete ?? false,
    });

    new EcrLifecyclePolicy(this, 'lifecycle', {
      repository: repository.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: `Expire untagged images after ${untaggedDays} days`,
            selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: untaggedDays },
            action: { type: 'expire' },
          },
          {
            rulePriority: 2,
            description: `Keep the last ${keep} images`,
            selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: keep },
            action: { type: 'expire' },
          },
        ],
      }),
    });

    this.repositoryUrl = repository.repositoryUrl;
    this.repositoryArn = repository.arn;
    this.repositoryName = repository.name;
  }
}
