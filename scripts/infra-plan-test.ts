// Plan-level tests of the infrastructure: `terraform test` with a mocked AWS provider over the
// synthesized stacks (cdktf/plan-tests/stack.tftest.hcl), offline, with no AWS credentials.
//
//   npx tsx scripts/infra-plan-test.ts            run the tests on dev and prod, then prove each
//                                                 assertion can fail (one planted mistake per rule)
//   npx tsx scripts/infra-plan-test.ts --clean    only the tests on the real stacks
//
// For each environment it synthesizes the bootstrap stack (no image tag) and the deploy stack
// (with one), so the test walks the real bootstrap -> deploy sequence on one state. Planted
// mistakes are edits of a copy of the synthesized JSON; all of them planted together must fail
// exactly their own rules, each rule once.
// Like infra:validate, it exits 0 with one line when Terraform or the provider mirror is missing.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdktf';
import { type EnvironmentName, loadConfig } from '../cdktf/config';
import { TrackerStack } from '../cdktf/stack';
import { PLANTED_MISTAKES, type StackJson, addressesOf } from './infra-plan-mistakes';

const root = join(__dirname, '..');
const validateScript = join(root, 'scripts', 'infra-validate.sh');
const template = readFileSync(join(root, 'cdktf', 'plan-tests', 'stack.tftest.hcl'), 'utf8');
const mirror = process.env.TF_PROVIDER_MIRROR ?? '/opt/tf-plugins';
const terraform = process.env.TERRAFORM ?? 'terraform';
const ENVIRONMENTS: EnvironmentName[] = ['dev', 'prod'];

function synth(environment: EnvironmentName, imageTag: string | undefined): StackJson {
  const outdir = mkdtempSync(join(tmpdir(), 'tracker-plan-synth-'));
  try {
    const config = loadConfig({ INFRA_ENV: environment, ...(imageTag ? { INFRA_IMAGE_TAG: imageTag } : {}) });
    const app = new App({ outdir, stackTraces: false });
    const stack = new TrackerStack(app, config);
    app.synth();
    return JSON.parse(readFileSync(join(outdir, 'stacks', stack.node.id, 'cdk.tf.json'), 'utf8')) as StackJson;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Replaces every @{name} in the test file with the stack's address or value for it. */
export function resolveTemplate(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/@\{([A-Za-z_.]+)\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`stack.tftest.hcl: nothing to put in for @{${name}}`);
    return value;
  });
}

interface Outcome { readonly passed: boolean; readonly output: string; readonly failedRules: string[] }

/** Writes a suite (root = deploy stack, ./bootstrap, tests/) and runs terraform test in it. */
async function runSuite(environment: EnvironmentName, bootstrap: StackJson, deploy: StackJson, cliConfig: string): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), `tracker-plan-${environment}-`));
  try {
    mkdirSync(join(dir, 'bootstrap'));
    mkdirSync(join(dir, 'tests'));
    // The S3 backend would need credentials even for init; tests never touch a backend.
    const withoutBackend = (json: StackJson) => ({ ...json, terraform: { ...json.terraform, backend: undefined } });
    writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(withoutBackend(deploy)));
    writeFileSync(join(dir, 'bootstrap', 'cdk.tf.json'), JSON.stringify(withoutBackend(bootstrap)));
    writeFileSync(join(dir, 'tests', 'stack.tftest.hcl'), resolveTemplate(template, addressesOf(environment, deploy)));
    const env = { ...process.env, TF_CLI_CONFIG_FILE: cliConfig, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' };
    const init = spawnSync(terraform, ['init', '-backend=false', '-input=false', '-no-color'], { cwd: dir, env, encoding: 'utf8' });
    if (init.status !== 0) return { passed: false, output: `${init.stdout}\n${init.stderr}`, failedRules: [] };
    const output = await new Promise<string>((resolve) => {
      const child = spawn(terraform, ['test', '-no-color'], { cwd: dir, env });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => { text += chunk.toString(); });
      child.stderr.on('data', (chunk: Buffer) => { text += chunk.toString(); });
      child.on('close', (code) => resolve(`${text}\nexit ${code}`));
    });
    const failedRules = [...new Set([...output.matchAll(/^\s*\[([a-z0-9-]+)\] /gm)].map((m) => m[1]))].sort();
    return { passed: /\nexit 0$/.test(output) && /Success! \d+ passed, 0 failed/.test(output), output, failedRules };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const preflight = spawnSync('bash', [validateScript, '--preflight'], { encoding: 'utf8' });
  if (preflight.status !== 0) {
    console.log(`infra:plan-test did not run: ${preflight.stdout.trim()}. Only the jest synth tests check the infrastructure here.`);
    return;
  }
  const cliDir = mkdtempSync(join(tmpdir(), 'tracker-plan-cli-'));
  const cliConfig = join(cliDir, 'terraform.rc');
  // With only a filesystem mirror listed, Terraform installs providers from nowhere else.
  writeFileSync(cliConfig, `provider_installation {\n  filesystem_mirror {\n    path = "${mirror}"\n  }\n}\n`);
  const cleanOnly = process.argv.includes('--clean');
  const started = Date.now();
  const problems: string[] = [];
  try {
    const stacks = new Map(ENVIRONMENTS.map((environment) => [environment, { bootstrap: synth(environment, undefined), deploy: synth(environment, 'plan-test') }]));
    // The real stacks: every assertion passes.
    const clean = await Promise.all(ENVIRONMENTS.map(async (environment) => {
      const { bootstrap, deploy } = stacks.get(environment)!;
      return [environment, await runSuite(environment, bootstrap, deploy, cliConfig)] as const;
    }));
    for (const [environment, outcome] of clean) {
      if (outcome.passed) {
        console.log(`plan test ${environment}: ${/Success! (\d+ passed)/.exec(outcome.output)?.[1] ?? 'passed'} (bootstrap -> deploy -> new public AMI)`);
      } else {
        problems.push(`plan test ${environment} failed:\n${outcome.output}`);
      }
    }
    if (!cleanOnly && problems.length === 0) {
      // Every rule's mistake planted at once in a copy of each stack (one terraform run per
      // environment instead of one per rule): the rules that fail must be exactly the planted ones.
      const planted = await Promise.all(ENVIRONMENTS.map(async (environment) => {
        const mistakes = PLANTED_MISTAKES.filter((mistake) => mistake.environments.includes(environment));
        const copy = structuredClone(stacks.get(environment)!);
        for (const mistake of mistakes) mistake.plant(copy.deploy, copy.bootstrap);
        return [environment, mistakes, await runSuite(environment, copy.bootstrap, copy.deploy, cliConfig)] as const;
      }));
      for (const [environment, mistakes, outcome] of planted) {
        const expected = [...new Set(mistakes.map((m) => m.rule))].sort();
        const missed = expected.filter((rule) => !outcome.failedRules.includes(rule));
        const unexpected = outcome.failedRules.filter((rule) => !expected.includes(rule));
        for (const mistake of mistakes) {
          console.log(`planted in ${environment}: ${mistake.description} -> [${mistake.rule}] ${outcome.failedRules.includes(mistake.rule) ? 'failed, as it must' : 'DID NOT FAIL'}`);
        }
        if (outcome.passed || missed.length > 0 || unexpected.length > 0) {
          problems.push(`planted mistakes in ${environment}: missed ${JSON.stringify(missed)}, unexpected ${JSON.stringify(unexpected)}\n${outcome.output.split('\n').filter((l) => /Error|\[[a-z-]+\]/.test(l)).slice(0, 40).join('\n')}`);
        }
      }
    }
  } finally {
    rmSync(cliDir, { recursive: true, force: true });
  }
  console.log(`infra:plan-test took ${Math.round((Date.now() - started) / 1000)} s`);
  if (problems.length > 0) {
    console.error(problems.join('\n\n'));
    process.exit(1);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
