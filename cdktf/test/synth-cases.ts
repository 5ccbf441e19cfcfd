// The two environments the tests synthesize once (see global-setup.ts), each from its committed
// settings file: dev runs bare (bootstrap, HTTP, local state), prod has every option on
// (image tag, HTTPS, domain, alarm email, S3 state, account guard), so both branches are covered.
import type { EnvironmentName } from '../config';

export const TEST_CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-4000-8000-000000000000';

export const SYNTH_ENV: Readonly<Record<EnvironmentName, Readonly<Record<string, string>>>> = {
  dev: { INFRA_ENV: 'dev' },
  prod: { INFRA_ENV: 'prod', INFRA_IMAGE_TAG: 'abc1234' },
};

/** Where global-setup.ts leaves the synthesized stacks for the test workers. */
export const SYNTH_DIR_VARIABLE = 'INFRA_TEST_SYNTH_DIR';
