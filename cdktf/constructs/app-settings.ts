// Where the container's environment comes from: plain settings in SSM Parameter Store,
// secrets in one Secrets Manager secret. Terraform creates the secret but never its value,
// so no credential ends up in Terraform state; scripts/deploy.sh fills it once.
import { Construct } from 'constructs';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';

export interface AppSettingsProps {
  /** e.g. `tracker/dev`: the secret is `<prefix>/app`, parameters live under `/<prefix>/env/`. */
  readonly namePrefix: string;
  /** @default 'info' */
  readonly logLevel?: string;
  /**
   * How long the API keeps serving after SIGTERM. A SIGTERM that does not come from the Auto
   * Scaling group (a container restart, a host reboot) is noticed by the ALB only through
   * failed health checks, so this must outlast that detection (see LoadBalancer). @default 25
   */
  readonly shutdownDrainSeconds?: number;
  /** Further environment of the container (values may be Terraform references). @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** Days a deleted secret can be restored; 0 deletes at once. @default 30 */
  readonly secretRecoveryDays?: number;
}

/**
 * Keys of the JSON stored in the app secret. DATABASE_URL is assembled on the instance
 * from the password and the RDS endpoint, so the endpoint never has to be copied by hand.
 */
export const APP_SECRET_KEYS = ['JWT_SECRET', 'DATABASE_PASSWORD'] as const;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

export class AppSettings extends Construct {
  readonly secretArn: string;
  readonly secretName: string;
  readonly parameterNames: string[];
  readonly parameterArns: string[];
  readonly shutdownDrainSeconds: number;

  constructor(scope: Construct, id: string, props: AppSettingsProps) {
    super(scope, id);
    const logLevel = props.logLevel ?? 'info';
    const drain = props.shutdownDrainSeconds ?? 25;
    const recovery = props.secretRecoveryDays ?? 30;
    if (!/^[a-z0-9-]+(\/[a-z0-9-]+)*$/.test(props.namePrefix)) throw new Error(`AppSettings: bad namePrefix "${props.namePrefix}"`);
    if (!LOG_LEVELS.includes(logLevel)) throw new Error(`AppSettings: logLevel must be one of ${LOG_LEVELS.join(', ')}`);
    if (!Number.isInteger(drain) || drain < 0 || drain > 120) throw new Error(`AppSettings: shutdownDrainSeconds ${drain} is outside 0-120`);
    if (recovery !== 0 && (recovery < 7 || recovery > 30)) throw new Error('AppSettings: secretRecoveryDays must be 0 or 7-30');

    const secret = new SecretsmanagerSecret(this, 'secret', {
      name: `${props.namePrefix}/app`,
      description: `API secrets as JSON with keys ${APP_SECRET_KEYS.join(', ')}; written by scripts/deploy.sh`,
      recoveryWindowInDays: recovery,
    });

    const extra = props.environment ?? {};
    for (const key of Object.keys(extra)) {
      if (!/^[A-Z][A-Z0-9_]*$/.test(key)) throw new Error(`AppSettings: bad environment variable name "${key}"`);
    }
    const values: Record<string, string> = {
      NODE_ENV: 'production',
      LOG_LEVEL: logLevel,
      SHUTDOWN_DRAIN_SECONDS: String(drain),
      ...extra,
    };
    const parameters = Object.entries(values).map(([key, value]) =>
      new SsmParameter(this, `env-${key}`, {
        name: `/${props.namePrefix}/env/${key}`,
        type: 'String',
        value,
        description: 'Read by the API instances at boot',
      }),
    );

    this.secretArn = secret.arn;
    // Literal names, not references: they go into the static user data.
    this.secretName = `${props.namePrefix}/app`;
    this.parameterNames = Object.keys(values).map((key) => `/${props.namePrefix}/env/${key}`);
    this.parameterArns = parameters.map((p) => p.arn);
    this.shutdownDrainSeconds = drain;
  }
}
