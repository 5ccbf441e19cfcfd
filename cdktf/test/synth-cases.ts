// The two environments the tests synthesize once (see global-setup.ts). dev runs bare
// (bootstrap, HTTP, local state); prod turns every option on, so both branches are covered.
import type { EnvironmentName } from '../config';

export const TEST_CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-4000-8000-000000000000';

export const SYNTH_ENV: Readonly<Record<EnvironmentName, Readonly<Record<string, string>>>> = {
  dev: { INFRA_ENV: 'dev' },
  prod: {
    INFRA_ENV: 'prod',
    INFRA_IMAGE_TAG: 'abc1234',
    INFRA_CERTIFICATE_ARN: TEST_CERTIFICATE_ARN,
    INFRA_DOMAIN_NAME: 'api.tracker.test',
    INFRA_ALARM_EMAIL: 'alarms@tracker.test',
    INFRA_STATE_BUCKET: 'tracker-terraform-state',
  },
};

/** Where global-setup.ts leaves the synthesized stacks for the test workers. */
export const SYNTH_DIR_VARIABLE = 'INFRA_TEST_SYNTH_DIR';
