// Synthesizes dev and prod once per test run; test files only read the JSON.
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENVIRONMENTS } from '../config';
import { SYNTH_DIR_VARIABLE } from './synth-cases';
import { synthesize } from './synthesize';

export default function globalSetup(): void {
  const started = Date.now();
  // Teardown removes CDKTF scratch folders that appear during the run (Testing.* makes them).
  (globalThis as Record<string, unknown>).__infraScratchBefore = new Set(readdirSync(tmpdir()));
  const dir = mkdtempSync(join(tmpdir(), 'tracker-infra-synth-'));
  for (const environment of ENVIRONMENTS) {
    mkdirSync(join(dir, environment));
    synthesize(environment, join(dir, environment));
  }
  process.env[SYNTH_DIR_VARIABLE] = dir;
  (globalThis as Record<string, unknown>).__infraSynthDir = dir;
  process.stdout.write(`\ninfra: synthesized ${ENVIRONMENTS.join(' and ')} in ${Date.now() - started} ms\n`);
}
