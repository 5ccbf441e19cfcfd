// Tables in the documentation that code can produce are found by a marker, not by the file or
// heading they sit under, so the docs can be reorganized without touching the tests: an HTML
// comment `<!-- name -->` on its own line, then (after blank lines at most) a Markdown table.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/project-root';

/** README.md and every Markdown file under docs/. */
function documentationFiles(): string[] {
  const files = [path.join(PROJECT_ROOT, 'README.md')];
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.md')) files.push(full);
    }
  };
  walk(path.join(PROJECT_ROOT, 'docs'));
  return files;
}

export interface MarkedTable {
  /** The file holding the marker, relative to the project root. */
  readonly file: string;
  /** The data rows (header and separator dropped), each as its trimmed cells. */
  readonly rows: string[][];
}

/** The one table following `<!-- marker -->` anywhere in the documentation; throws unless there is exactly one marker. */
export function markedTable(marker: string): MarkedTable {
  const tag = `<!-- ${marker} -->`;
  const found = documentationFiles().flatMap((file) => {
    const lines = readFileSync(file, 'utf8').split('\n');
    return lines.flatMap((line, index) => (line.trim() === tag ? [{ file, lines, index }] : []));
  });
  if (found.length !== 1) throw new Error(`expected exactly one ${tag} in README.md or docs/, found ${found.length}`);
  const { file, lines, index } = found[0]!;
  let at = index + 1;
  while (at < lines.length && lines[at]!.trim() === '') at++;
  const table: string[] = [];
  while (at < lines.length && lines[at]!.trimStart().startsWith('|')) table.push(lines[at++]!.trim());
  if (table.length < 2) throw new Error(`${tag} in ${file} is not followed by a table`);
  const cells = (row: string) => row.replace(/^\||\|$/g, '').split('|').map((cell) => cell.trim());
  return { file: path.relative(PROJECT_ROOT, file), rows: table.slice(2).map(cells) };
}
