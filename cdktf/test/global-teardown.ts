// Removes the synthesized stacks and any /tmp/cdktf.outdir.* left by this run.
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function globalTeardown(): void {
  const state = globalThis as Record<string, unknown>;
  const dir = state.__infraSynthDir;
  if (typeof dir === 'string') rmSync(dir, { recursive: true, force: true });
  const before = state.__infraScratchBefore instanceof Set ? state.__infraScratchBefore : new Set<string>();
  for (const name of readdirSync(tmpdir())) {
    if (name.startsWith('cdktf.outdir.') && !before.has(name)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}
