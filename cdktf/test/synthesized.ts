// Read access to the synthesized Terraform JSON, plus small helpers to walk it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EnvironmentName } from '../config';
import { SYNTH_DIR_VARIABLE } from './synth-cases';
import { synthesize } from './synthesize';

export type Body = Record<string, any>;
export interface TerraformJson {
  readonly terraform: Body;
  readonly provider: Body;
  readonly resource: Record<string, Record<string, Body>>;
  readonly data: Record<string, Record<string, Body>>;
  readonly output: Record<string, Body>;
}

const cache = new Map<EnvironmentName, TerraformJson>();

/** The stack JSON of one environment, from the global setup (or synthesized here if run alone). */
export function synthesized(environment: EnvironmentName): TerraformJson {
  const cached = cache.get(environment);
  if (cached) return cached;
  const dir = process.env[SYNTH_DIR_VARIABLE];
  let text: string;
  if (dir) {
    text = readFileSync(join(dir, environment, 'stacks', `tracker-${environment}`, 'cdk.tf.json'), 'utf8');
  } else {
    const scratch = mkdtempSync(join(tmpdir(), 'tracker-infra-synth-'));
    try {
      text = readFileSync(synthesize(environment, scratch), 'utf8');
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  const json = JSON.parse(text) as TerraformJson;
  cache.set(environment, json);
  return json;
}

/** [logical name, body] of every resource of a type. */
export function resources(json: TerraformJson, type: string): Array<[string, Body]> {
  return Object.entries(json.resource[type] ?? {});
}

/** The body of the only resource of a type. */
export function only(json: TerraformJson, type: string): Body {
  const found = resources(json, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0][1];
}

/** The resource (or data source) an interpolation such as `${aws_lb.x.arn}` points at. */
export function target(json: TerraformJson, reference: string): { type: string; name: string; body: Body } {
  const match = /^\$\{(data\.)?([a-z0-9_]+)\.([^.}]+)\.[^}]+\}$/.exec(reference);
  if (!match) throw new Error(`not a single reference: ${reference}`);
  const [, isData, type, name] = match;
  const body = (isData ? json.data : json.resource)[type]?.[name];
  if (!body) throw new Error(`dangling reference: ${reference}`);
  return { type, name, body };
}

/** `${type.name.attribute}` for a resource's logical name. */
export function ref(type: string, name: string, attribute = 'id'): string {
  return `\${${type}.${name}.${attribute}}`;
}

/** Logical name of the resource of `type` whose `key` equals `value`. */
export function named(json: TerraformJson, type: string, key: string, value: unknown): string {
  const found = resources(json, type).filter(([, body]) => body[key] === value);
  if (found.length !== 1) throw new Error(`expected one ${type} with ${key}=${String(value)}, found ${found.length}`);
  return found[0][0];
}

export const BOTH: EnvironmentName[] = ['dev', 'prod'];
