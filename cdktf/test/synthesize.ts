// Synthesizes one environment exactly as cdktf/main.ts does, into a given directory.
import { App } from 'cdktf';
import { join } from 'node:path';
import { type EnvironmentName, loadConfig } from '../config';
import { TrackerStack } from '../stack';
import { SYNTH_ENV } from './synth-cases';

/** Returns the path of the stack's cdk.tf.json. */
export function synthesize(environment: EnvironmentName, outdir: string): string {
  const env = SYNTH_ENV[environment];
  const config = loadConfig(env);
  const app = new App({ outdir, stackTraces: false });
  const stack = new TrackerStack(app, config);
  app.synth();
  return join(outdir, 'stacks', stack.node.id, 'cdk.tf.json');
}
