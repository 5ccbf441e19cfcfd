// The CDKTF app: one stack, for the environment INFRA_ENV selects (default dev).
//   npx tsx cdktf/main.ts          synthesize Terraform JSON into cdktf.out/ (or CDKTF_OUTDIR)
//   npx tsx cdktf/main.ts names    print the environment's fixed resource names as JSON (deploy.sh)
// `cdktf synth|deploy` run this same file through cdktf.json.
import { App } from 'cdktf';
import { ConfigError, loadConfig } from './config';
import { TrackerStack, resourceNames } from './stack';

function main(): void {
  const config = loadConfig(process.env);
  if (process.argv[2] === 'names') {
    process.stdout.write(`${JSON.stringify(resourceNames(config))}\n`);
    return;
  }
  if (config.imageTag === undefined) {
    process.stderr.write(`note: INFRA_IMAGE_TAG is not set, so ${config.environment} is synthesized in bootstrap mode (0 instances)\n`);
  }
  const app = new App({ stackTraces: false });
  new TrackerStack(app, config);
  app.synth();
}

try {
  main();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
