// IAM role and instance profile for EC2: what the SSM agent needs for Session Manager and Run
// Command, plus the exact statements the caller lists, and nothing else. Not the managed
// AmazonSSMManagedInstanceCore: it allows ssm:GetParameter(s) on every parameter, which would
// undo the per-parameter grants the callers make.
import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';

export interface PolicyStatement {
  readonly Sid: string;
  readonly Action: string[];
  readonly Resource: string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/**
 * The SSM agent's own calls (registration, Run Command and Session Manager channels). None
 * of these APIs takes a resource, hence '*'; parameter and document reads are not among them.
 */
export const SSM_AGENT_STATEMENT: PolicyStatement = {
  Sid: 'SsmAgent',
  Action: [
    'ssm:UpdateInstanceInformation',
    'ssm:ListInstanceAssociations',
    'ssm:UpdateInstanceAssociationStatus',
    'ssmmessages:CreateControlChannel',
    'ssmmessages:CreateDataChannel',
    'ssmmessages:OpenControlChannel',
    'ssmmessages:OpenDataChannel',
    'ec2messages:AcknowledgeMessage',
    'ec2messages:DeleteMessage',
    'ec2messages:FailMessage',
    'ec2messages:GetEndpoint',
    'ec2messages:GetMessages',
    'ec2messages:SendReply',
  ],
  Resource: ['*'],
};

export interface InstanceRoleProps {
  readonly roleName: string;
  readonly statements: PolicyStatement[];
}

/** ECR pull rights: the token call cannot be scoped, the image reads can. */
export function ecrPullStatements(repositoryArn: string): PolicyStatement[] {
  return [
    { Sid: 'EcrToken', Action: ['ecr:GetAuthorizationToken'], Resource: ['*'] },
    {
      Sid: 'EcrPull',
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      Resource: [repositoryArn],
    },
  ];
}

/** Write to one log group (streams are created on demand). */
export function logWriteStatement(logGroupArn: string): PolicyStatement {
  return {
    Sid: 'Logs',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
    Resource: [`${logGroupArn}:*`],
  };
}

export class InstanceRole extends Construct {
  readonly roleName: string;
  readonly instanceProfileArn: string;
  /** Instances launched before this exists would boot without their permissions. */
  readonly grants: ITerraformDependable;

  constructor(scope: Construct, id: string, props: InstanceRoleProps) {
    super(scope, id);
    if (props.roleName.length > 64) throw new Error(`InstanceRole: role name "${props.roleName}" is over 64 characters`);
    for (const statement of props.statements) {
      if (statement.Action.length === 0 || statement.Resource.length === 0) {
        throw new Error(`InstanceRole: statement ${statement.Sid} needs actions and resources`);
      }
      if (statement.Action.some((action) => action.endsWith(':*') || action === '*')) {
        throw new Error(`InstanceRole: statement ${statement.Sid} uses a wildcard action`);
      }
    }

    const role = new IamRole(this, 'role', {
      name: props.roleName,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    });
    this.grants = new IamRolePolicy(this, 'policy', {
      name: 'least-privilege',
      role: role.id,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [SSM_AGENT_STATEMENT, ...props.statements].map((s) => ({ Effect: 'Allow', ...s })),
      }),
    });
    const profile = new IamInstanceProfile(this, 'profile', { name: props.roleName, role: role.name });

    this.roleName = role.name;
    this.instanceProfileArn = profile.arn;
  }
}
