// Compares the server's schema with the public contract (../shared/api, vendored in
// api/contract/): every contract type, field and argument must exist with a compatible type
// and the same defaults.
import { buildSchema, findBreakingChanges, findDangerousChanges, type GraphQLSchema } from 'graphql';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../project-root';

export const CONTRACT_FILES = ['contract.graphql', 'contract-events.graphql', 'contract-work.graphql'] as const;
export type ContractFile = (typeof CONTRACT_FILES)[number];

export const VENDORED_CONTRACT_DIR = path.join(PROJECT_ROOT, 'api/contract');

export interface ContractProblem {
  readonly type: string;
  readonly description: string;
}

/** The contract files, each building on the ones before it (the events file uses `extend type`). */
export function loadContract(files: readonly ContractFile[], dir = VENDORED_CONTRACT_DIR): GraphQLSchema {
  const sdl = files.map((file) => readFileSync(path.join(dir, file), 'utf8')).join('\n');
  return buildSchema(sdl);
}

export function compareWithContract(contract: GraphQLSchema, server: GraphQLSchema): ContractProblem[] {
  // Additions to enums and new interfaces are fine: the contract lets the server add freely
  // (an optional input field too: a client that never sends it sees no difference).
  const harmless = new Set(['VALUE_ADDED_TO_ENUM', 'IMPLEMENTED_INTERFACE_ADDED', 'TYPE_ADDED_TO_UNION', 'OPTIONAL_ARG_ADDED', 'OPTIONAL_INPUT_FIELD_ADDED']);
  return [...findBreakingChanges(contract, server), ...findDangerousChanges(contract, server)]
    .filter((change) => !harmless.has(change.type))
    .map((change) => ({ type: change.type, description: change.description }));
}

export interface ContractReport {
  /** Gaps nobody has listed as pending: each one is a defect. */
  readonly unexpected: ContractProblem[];
  /** Listed as pending and still missing. */
  readonly pending: ContractProblem[];
  /** Listed as pending but no longer a gap: remove them from the list. */
  readonly stale: string[];
}

export function classifyContractProblems(problems: readonly ContractProblem[], pendingByIssue: Readonly<Record<string, readonly string[]>>): ContractReport {
  const listed = new Set(Object.values(pendingByIssue).flat());
  const found = new Set(problems.map((problem) => problem.description));
  return {
    unexpected: problems.filter((problem) => !listed.has(problem.description)),
    pending: problems.filter((problem) => listed.has(problem.description)),
    stale: [...listed].filter((description) => !found.has(description)),
  };
}
