// Reading the tables of our Markdown docs, so tests can hold them equal to the code that
// defines what they list (error codes, settings, close codes, the role matrix).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/project-root';

export interface MarkdownTable {
  readonly file: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** The HTML comment right above the table (`<!-- close-codes -->`), if any. */
  readonly marker: string | null;
}

export function readDoc(relativePath: string): string {
  return readFileSync(path.join(PROJECT_ROOT, relativePath), 'utf8');
}

/** Every .md file under docs/, as paths relative to the project root. */
export function docFiles(dir = 'docs'): string[] {
  return readdirSync(path.join(PROJECT_ROOT, dir)).flatMap((name) => {
    const relative = path.join(dir, name);
    if (statSync(path.join(PROJECT_ROOT, relative)).isDirectory()) return docFiles(relative);
    return name.endsWith('.md') ? [relative] : [];
  });
}

function cells(line: string): string[] {
  // Split on pipes that are not escaped (\|) and not inside a code span.
  const out: string[] = [];
  let cell = '';
  let inCode = false;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i]!;
    if (ch === '`') inCode = !inCode;
    if (ch === '\\' && line[i + 1] === '|') {
      cell += '|';
      i += 1;
    } else if (ch === '|' && !inCode) {
      out.push(cell.trim());
      cell = '';
    } else cell += ch;
  }
  out.push(cell.trim());
  return out.slice(1, -1);
}

/** The tables of a Markdown text, outside code blocks. */
export function markdownTables(markdown: string, file = ''): MarkdownTable[] {
  const lines = markdown.split('\n');
  const tables: MarkdownTable[] = [];
  let inFence = false;
  for (let i = 0; i < lines.length; i += 1) {
    if (lines[i]!.startsWith('```')) inFence = !inFence;
    if (inFence || !lines[i]!.startsWith('|') || !/^\|[\s:|-]+\|$/.test(lines[i + 1] ?? '')) continue;
    const previous = lines[i - 1]?.trim() ?? '';
    const marker = /^<!--\s*([\w-]+)/.exec(previous)?.[1] ?? null;
    const header = cells(lines[i]!);
    const rows: string[][] = [];
    let j = i + 2;
    for (; j < lines.length && lines[j]!.startsWith('|'); j += 1) rows.push(cells(lines[j]!));
    tables.push({ file, header, rows, marker });
    i = j - 1;
  }
  return tables;
}

/** The one table of `file` under `<!-- marker -->`; fails loudly when it is missing or twice. */
export function markedTable(file: string, marker: string): MarkdownTable {
  const found = markdownTables(readDoc(file), file).filter((table) => table.marker === marker);
  if (found.length !== 1) throw new Error(`${file} has ${found.length} tables marked <!-- ${marker} --> (expected 1)`);
  return found[0]!;
}

/** The text of a cell without its code-span backticks. */
export function plain(cell: string): string {
  return cell.replace(/`/g, '');
}
