// The workloads as GraphQL requests. The API and B0 receive byte-identical bodies (B0
// dispatches on operationName); the peer gets the same question in PostGraphile's schema.
// Every request draws a random membership (user + tenant), so no cache sees a hot key.
import type { Catalog, Membership } from './catalog';

export type Flavor = 'api' | 'peer';

export interface Request {
  readonly body: string;
  readonly headers: Record<string, string>;
}

export interface Workload {
  readonly id: string;
  readonly title: string;
  readonly writes: boolean;
  /** Builds the next request; `rand` is the run's seeded generator. */
  next(rand: () => number, catalog: Catalog, flavor: Flavor): Request;
}

const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

function request(m: Membership, catalog: Catalog, operationName: string, query: string, variables: Record<string, unknown>): Request {
  return {
    body: JSON.stringify({ operationName, query, variables }),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${catalog.tokens.get(m.userIndex)}`, 'x-org-id': m.orgHeader },
  };
}

const Q = {
  W0: 'query W0 { __typename }',
  W1: 'query W1($key: String!) { issue(key: $key) { key title priority status { name category } assignee { id name } } }',
  W2: 'query W2($key: String!, $first: Int!) { project(key: $key) { key name issues(first: $first) { pageInfo { hasNextPage endCursor } edges { node { key title priority status { name category } assignee { id name } labels { name color } } } } } }',
  W3: 'query W3($text: String!, $categories: [StatusCategory!]) { issues(filter: { text: $text, statusCategories: $categories }, first: 20) { edges { node { key title priority status { name category } } } } }',
  W4: 'mutation W4($input: CreateIssueInput!) { createIssue(input: $input) { key title priority status { name category } assignee { id name } } }',
};

// PostGraphile's names for the same reads: issues hang off the project through the
// (org_id, project_id) foreign key; the search is a STABLE SQL function (see peer-sql.ts).
const PEER = {
  W1: 'query W1($key: String!, $number: Int!) { projects(condition: { key: $key }, first: 1) { nodes { key issuesByOrgIdAndProjectId(condition: { number: $number, deletedAt: null }, first: 1) { nodes { number title priority orgStatus { name category } assignee { rowId name } } } } } }',
  W2: 'query W2($key: String!, $first: Int!) { projects(condition: { key: $key }, first: 1) { nodes { key name issuesByOrgIdAndProjectId(first: $first, orderBy: [RANK_ASC, PRIMARY_KEY_ASC], condition: { deletedAt: null }) { pageInfo { hasNextPage endCursor } nodes { number title priority orgStatus { name category } assignee { rowId name } issueLabelsByOrgIdAndIssueId { nodes { orgLabel { name color } } } } } } } }',
  W3: 'query W3($text: String!, $categories: [StatusCategory]) { benchPeerSearchIssues(query: $text, categories: $categories, first: 20) { nodes { number title priority orgProject { key } orgStatus { name category } } } }',
};

const CATEGORY_SETS = [['TODO', 'IN_PROGRESS'], ['TODO'], ['IN_PROGRESS'], ['TODO', 'IN_PROGRESS', 'DONE']];
let created = 0;

export const W0: Workload = {
  id: 'W0',
  title: '{ __typename }',
  writes: false,
  next: (rand, catalog) => request(pick(rand, catalog.memberships), catalog, 'W0', Q.W0, {}),
};

export const W1: Workload = {
  id: 'W1',
  title: 'issue(key)',
  writes: false,
  next(rand, catalog, flavor) {
    const m = pick(rand, catalog.memberships);
    const project = pick(rand, catalog.projectKeys);
    const number = 1 + Math.floor(rand() * catalog.profile.issuesPerProject);
    return flavor === 'peer'
      ? request(m, catalog, 'W1', PEER.W1, { key: project, number })
      : request(m, catalog, 'W1', Q.W1, { key: `${project}-${number}` });
  },
};

export function boardWorkload(first: number): Workload {
  return {
    id: first === 50 ? 'W2' : `W2/${first}`,
    title: `project board, ${first} issues`,
    writes: false,
    next(rand, catalog, flavor) {
      const m = pick(rand, catalog.board.memberships);
      return request(m, catalog, 'W2', flavor === 'peer' ? PEER.W2 : Q.W2, { key: pick(rand, catalog.board.projectKeys), first });
    },
  };
}

export const W2 = boardWorkload(50);

export const W3: Workload = {
  id: 'W3',
  title: 'search text + status',
  writes: false,
  next(rand, catalog, flavor) {
    const m = pick(rand, catalog.memberships);
    // Two vocabulary words, ANDed by websearch_to_tsquery: a few dozen hits per tenant.
    const text = `${pick(rand, catalog.words)} ${pick(rand, catalog.words)}`;
    const categories = pick(rand, CATEGORY_SETS);
    return request(m, catalog, 'W3', flavor === 'peer' ? PEER.W3 : Q.W3, { text, categories });
  },
};

export const W4: Workload = {
  id: 'W4',
  title: 'createIssue',
  writes: true,
  next(rand, catalog) {
    const m = pick(rand, catalog.memberships);
    const input = {
      projectKey: pick(rand, catalog.projectKeys),
      title: `Bench issue ${++created} ${pick(rand, catalog.words)}`,
      priority: pick(rand, ['LOW', 'MEDIUM', 'HIGH']),
      assigneeId: catalog.memberGlobalId(m.orgIndex, Math.floor(rand() * 1000)),
    };
    return request(m, catalog, 'W4', Q.W4, { input });
  },
};

/** 80% W1/W2 (half each), 15% W3, 5% W4. */
export const W5: Workload = {
  id: 'W5',
  title: 'mix 40/40/15/5',
  writes: true,
  next(rand, catalog, flavor) {
    const x = rand();
    const workload = x < 0.4 ? W1 : x < 0.8 ? W2 : x < 0.95 ? W3 : W4;
    return workload.next(rand, catalog, flavor);
  },
};

export const WORKLOADS: readonly Workload[] = [W0, W1, W2, W3, W4, W5];
