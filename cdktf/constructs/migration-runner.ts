// Runs `npm run db:migrate` exactly once per deploy, never in the API containers' start.
// scripts/deploy.sh launches one throwaway instance from this launch template, sends it
// the SSM Run Command document below with the new image tag, waits for the result and
// terminates it. Only this instance's role can read the owner's (RDS master) password.
import { Construct } from 'constructs';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { SsmDocument } from '@cdktf/provider-aws/lib/ssm-document';
import { renderTemplate } from '../templates/render';
import { encryptedRootVolume, hardenedMetadata } from './compute';
import { InstanceRole, ecrPullStatements, logWriteStatement } from './instance-role';

export interface MigrationRunnerProps {
  readonly namePrefix: string;
  readonly region: string;
  /** The AMI (see PinnedAmi). */
  readonly imageId: string;
  /** Any private subnet with a route to the database and to AWS APIs. */
  readonly subnetId: string;
  /** Needs the database's ingress; the API instances' group has it. */
  readonly securityGroupIds: string[];
  readonly repositoryUrl: string;
  readonly repositoryArn: string;
  readonly masterSecretArn: string;
  readonly appSecretArn: string;
  /** Run Command output is copied here. */
  readonly logGroupArn: string;
  readonly database: { readonly host: string; readonly port: number; readonly name: string };
  /** Login role the API uses (the migrations create it); its password is set from the app secret. @default 'tracker_app' */
  readonly appDatabaseUser?: string;
  /** @default 't4g.small' */
  readonly instanceType?: string;
  /** Safety net: the instance powers off (and terminates) after this long. @default 60 */
  readonly maxLifetimeMinutes?: number;
  /** @default {} */
  readonly tags?: Record<string, string>;
}

/** ImageTag must satisfy this before SSM substitutes it into the script. */
export const IMAGE_TAG_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$';

export class MigrationRunner extends Construct {
  readonly launchTemplateName: string;
  readonly documentName: string;

  constructor(scope: Construct, id: string, props: MigrationRunnerProps) {
    super(scope, id);
    const lifetime = props.maxLifetimeMinutes ?? 60;
    const appUser = props.appDatabaseUser ?? 'tracker_app';
    const instanceType = props.instanceType ?? 't4g.small';
    if (!Number.isInteger(lifetime) || lifetime < 10 || lifetime > 720) throw new Error('MigrationRunner: maxLifetimeMinutes must be 10-720');
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(appUser)) throw new Error(`MigrationRunner: bad appDatabaseUser "${appUser}"`);

    const role = new InstanceRole(this, 'role', {
      roleName: `${props.namePrefix}-migrator`,
      statements: [
        ...ecrPullStatements(props.repositoryArn),
        logWriteStatement(props.logGroupArn),
        {
          Sid: 'OwnerAndAppSecrets',
          Action: ['secretsmanager:GetSecretValue'],
          Resource: [props.masterSecretArn, props.appSecretArn],
        },
      ],
    });

    const tags = { ...(props.tags ?? {}), Name: `${props.namePrefix}-migrator` };
    const template = new LaunchTemplate(this, 'launch-template', {
      name: `${props.namePrefix}-migrator`,
      imageId: props.imageId,
      instanceType,
      iamInstanceProfile: { arn: role.instanceProfileArn },
      networkInterfaces: [{
        subnetId: props.subnetId,
        securityGroups: props.securityGroupIds,
        associatePublicIpAddress: 'false',
        deleteOnTermination: 'true',
      }],
      // 1: only the host reads the secrets; the migration container gets a URL, never the role.
      metadataOptions: hardenedMetadata(1),
      blockDeviceMappings: encryptedRootVolume(20),
      instanceInitiatedShutdownBehavior: 'terminate',
      userData: Buffer.from(`#!/bin/bash\nshutdown -h +${lifetime}\n`).toString('base64'),
      updateDefaultVersion: true,
      tagSpecifications: [
        { resourceType: 'instance', tags },
        { resourceType: 'volume', tags },
      ],
    });

    const document = new SsmDocument(this, 'document', {
      name: `${props.namePrefix}-migrate`,
      documentType: 'Command',
      documentFormat: 'JSON',
      content: JSON.stringify({
        schemaVersion: '2.2',
        description: 'Apply database migrations from the given API image (npm run db:migrate)',
        parameters: {
          ImageTag: { type: 'String', description: 'ECR tag of the API image', allowedPattern: IMAGE_TAG_PATTERN },
        },
        mainSteps: [{
          action: 'aws:runShellScript',
          name: 'migrate',
          inputs: {
            timeoutSeconds: '1800',
            runCommand: [renderTemplate('migrate.sh', {
              REGION: props.region,
              REPOSITORY_URL: props.repositoryUrl,
              MASTER_SECRET_ARN: props.masterSecretArn,
              APP_SECRET_ARN: props.appSecretArn,
              DB_HOST: props.database.host,
              DB_PORT: props.database.port,
              DB_NAME: props.database.name,
              APP_DB_USER: appUser,
            })],
          },
        }],
      }),
    });

    this.launchTemplateName = template.name;
    this.documentName = document.name;
  }
}
