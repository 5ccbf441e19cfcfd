// The repository (or image) root, found the same way from source (tsx, ts-jest) and from the
// compiled dist/ tree: the nearest ancestor holding prisma/schema.prisma.
import { existsSync } from 'node:fs';
import path from 'node:path';

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'prisma', 'schema.prisma'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`No prisma/schema.prisma above ${start}`);
  }
}

export const PROJECT_ROOT = findRoot(__dirname);
