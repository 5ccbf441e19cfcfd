// Fills @@NAME@@ placeholders in the shell templates next to this file. Values may be
// Terraform tokens (resource attributes), which CDKTF resolves inside the string.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reads `templates/<file>` and replaces every `@@KEY@@`. Throws on a placeholder without a
 * value, a value without a placeholder, or text Terraform would treat as a template
 * (`${` or `%{`): the synthesized JSON must mean the same to Terraform and OpenTofu.
 */
export function renderTemplate(file: string, values: Readonly<Record<string, string | number>>): string {
  return renderText(file, readFileSync(join(__dirname, file), 'utf8'), values);
}

/** renderTemplate on text already read; `name` is for messages. */
export function renderText(file: string, text: string, values: Readonly<Record<string, string | number>>): string {
  const interpolation = /\$\{|%\{/.exec(text);
  if (interpolation) {
    throw new Error(`${file}: "${interpolation[0]}" would be interpolated by Terraform; write $NAME instead`);
  }
  const unused = new Set(Object.keys(values));
  const rendered = text.replace(/@@([A-Z_]+)@@/g, (_match, key: string) => {
    if (!(key in values)) throw new Error(`${file}: no value for @@${key}@@`);
    unused.delete(key);
    return String(values[key]);
  });
  if (unused.size > 0) throw new Error(`${file}: unused values ${[...unused].join(', ')}`);
  return rendered;
}
