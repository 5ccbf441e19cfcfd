// Keeps the plan-level tests (cdktf/plan-tests/stack.tftest.hcl, run by npm run
// infra:plan-test) and their planted mistakes in step, without running Terraform: every
// placeholder resolves in both stacks, every rule has a planted mistake, every mistake a rule.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLANTED_MISTAKES, type StackJson, addressesOf } from '../../scripts/infra-plan-mistakes';
import { resolveTemplate } from '../../scripts/infra-plan-test';
import { BOTH, synthesized } from './synthesized';

const template = readFileSync(join(__dirname, '..', 'plan-tests', 'stack.tftest.hcl'), 'utf8');
const rules = [...new Set([...template.matchAll(/error_message\s*=\s*"\[([a-z0-9-]+)\]/g)].map((m) => m[1]))].sort();

describe.each(BOTH)('plan-level tests for %s', (environment) => {
  const json = synthesized(environment) as unknown as StackJson;

  it('resolve every placeholder to an address in the stack', () => {
    const resolved = resolveTemplate(template, addressesOf(environment, json));
    expect(resolved).not.toMatch(/@\{/);
    for (const [, address] of resolved.matchAll(/\b(aws_[a-z0-9_]+\.[A-Za-z0-9_-]+)\./g)) {
      const [type, name] = address.split('.');
      expect(json.resource[type]?.[name] ?? `missing ${address}`).toEqual(expect.any(Object));
    }
  });

  it('plant mistakes that apply to this stack without throwing', () => {
    const copy = structuredClone({ deploy: json, bootstrap: json });
    for (const mistake of PLANTED_MISTAKES.filter((m) => m.environments.includes(environment))) {
      expect(() => mistake.plant(copy.deploy, copy.bootstrap)).not.toThrow();
    }
    expect(JSON.stringify(copy.deploy)).not.toBe(JSON.stringify(json));
  });
});

it('has a planted mistake for every rule, and a rule for every planted mistake', () => {
  expect(rules.length).toBeGreaterThan(20);
  expect([...new Set(PLANTED_MISTAKES.map((m) => m.rule))].sort()).toEqual(rules);
});
