// Shows that `npm run infra:validate` can fail: Terraform, with the real provider schema
// from the offline mirror, must reject a deliberately broken copy of the dev stack.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesized } from './synthesized';

const script = join(__dirname, '..', '..', 'scripts', 'infra-validate.sh');
const preflight = spawnSync('bash', [script, '--preflight'], { encoding: 'utf8' });
const canValidate = preflight.status === 0;
if (!canValidate) {
  console.warn(`skipping the terraform validate test: ${preflight.stdout.trim() || preflight.stderr.trim()}`);
}

(canValidate ? it : it.skip)('infra:validate rejects a broken stack with Terraform\'s own error', () => {
  const broken = JSON.parse(JSON.stringify(synthesized('dev')));
  const [lbName] = Object.keys(broken.resource.aws_lb);
  broken.resource.aws_lb[lbName].bogus_argument = true;

  const dir = mkdtempSync(join(tmpdir(), 'tracker-infra-broken-'));
  try {
    writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(broken, null, 2));
    const run = spawnSync('bash', [script, dir], { encoding: 'utf8' });
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.status).toBe(1);
    expect(output).toContain('No argument or block type is named "bogus_argument"');
    // The planted mistake is the only one: the rest of the stack validated.
    expect(output.match(/^Error: /gm)).toHaveLength(1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
