// The data set as SQL: INSERT ... SELECT over generate_series, so PostgreSQL builds every row
// itself (no client round trip per row). Deterministic: ids and choices come from md5 of a
// label and an index, never from random() or now(). Runs as the owner, so row-level
// security does not apply; foreign-key triggers are skipped (session_replication_role) because
// the rows are consistent by construction, which cuts generation time roughly in half.
import { issueCount, type DataProfile } from '../config';

/** Bump when the generated rows change, so cached databases are regenerated. */
export const GENERATOR_VERSION = 3;

export const PROJECT_KEYS = ['WEB', 'API', 'OPS', 'MOB', 'DATA', 'INFRA', 'DOCS', 'QA'] as const;

// Titles and descriptions draw from this vocabulary; the search workload queries its words.
export const WORDS = [
  'login', 'button', 'crash', 'timeout', 'payment', 'search', 'export', 'import', 'upload', 'avatar',
  'email', 'invoice', 'report', 'dashboard', 'filter', 'sorting', 'pagination', 'cache', 'memory', 'leak',
  'slow', 'query', 'index', 'migration', 'deploy', 'rollback', 'token', 'session', 'password', 'reset',
  'mobile', 'layout', 'dark', 'theme', 'font', 'icon', 'tooltip', 'modal', 'dialog', 'keyboard',
  'shortcut', 'accessibility', 'translation', 'locale', 'timezone', 'calendar', 'reminder', 'notification', 'webhook', 'retry',
  'queue', 'worker', 'cron', 'backup', 'restore', 'permission', 'role', 'audit', 'billing', 'subscription',
  'trial', 'coupon', 'checkout', 'cart', 'shipping', 'address', 'profile', 'settings', 'onboarding', 'signup',
  'chart', 'graph', 'metric', 'alert', 'latency', 'error', 'warning', 'logging', 'tracing', 'sidebar',
  'header', 'footer', 'banner', 'carousel', 'video', 'image', 'thumbnail', 'preview', 'draft', 'archive',
  'comment', 'mention', 'reaction', 'attachment', 'link', 'embed', 'sync', 'offline', 'conflict', 'merge',
] as const;

const STATES = [
  ['To Do', 'TODO'],
  ['In Progress', 'IN_PROGRESS'],
  ['In Review', 'IN_PROGRESS'],
  ['Done', 'DONE'],
] as const;

// The default workflow's transitions (api/src/modules/project/default-workflow.ts): forward,
// back one step, or back to the first state.
const TRANSITIONS = [[0, 1], [1, 2], [1, 0], [2, 3], [2, 1], [2, 0], [3, 2], [3, 0]] as const;

const KIND = { org: 1, user: 2, project: 3, state: 4, label: 5, sprint: 6, issue: 7, comment: 8 } as const;
const PHRASES = 4096;

/** The id of the n-th row of a kind (see pg_temp.uid). */
export function uidSql(kind: keyof typeof KIND, n: string): string {
  return `pg_temp.uid(${KIND[kind]}, ${n})`;
}

/** The same id computed in JavaScript, for the request generator. */
export function uid(kind: keyof typeof KIND, n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `${KIND[kind].toString(16).padStart(8, '0')}-0000-4000-8000-${hex}`;
}

/** One statement per entry, in order; `$1` in the users insert is the password hash. */
export function generationSql(p: DataProfile): string[] {
  const usersTotal = p.orgs * p.usersPerOrg;
  const projectsTotal = p.orgs * p.projectsPerOrg;
  const issuesTotal = issueCount(p);
  // Issue i's project and number: the big project (project 0) takes the first `big` issues.
  const big = p.bigProjectIssues ?? p.issuesPerProject;
  const projectOf = `CASE WHEN i < ${big} THEN 0 ELSE 1 + (i - ${big}) / ${p.issuesPerProject} END`;
  const numberOf = `CASE WHEN i < ${big} THEN i + 1 ELSE (i - ${big}) % ${p.issuesPerProject} + 1 END`;
  const keys = `ARRAY[${PROJECT_KEYS.slice(0, p.projectsPerOrg).map((k) => `'${k}'`).join(',')}]`;
  const words = `ARRAY[${WORDS.map((w) => `'${w}'`).join(',')}]`;
  const states = STATES.map(([name, cat], pos) => `(${pos}, '${name}', '${cat}')`).join(', ');
  const transitions = TRANSITIONS.map(([a, b]) => `(${a}, ${b})`).join(', ');
  const id = uidSql;
  // The organization's k-th user (k < usersPerOrg) is user org + orgs * k.
  const member = (org: string, pick: string) => id('user', `${org} + ${p.orgs} * ((${pick}) % ${p.usersPerOrg})`);
  const orgOf = (pr: string) => id('org', `${pr} / ${p.projectsPerOrg}`);
  // A global id as the API encodes it: base64url("<Type>:<uuid>").
  const globalId = (type: string, uuid: string) => `translate(encode(convert_to('${type}:' || ${uuid}, 'UTF8'), 'base64'), '+/=', '-_')`;
  return [
    `SET session_replication_role = replica`,
    `SET maintenance_work_mem = '256MB'`,
    // Non-unique indexes of the big tables are dropped and rebuilt from their own definitions
    // after the inserts: one sorted build instead of 200k GIN and B-tree insertions each.
    // (Unique ones stay: foreign keys depend on them.)
    `CREATE TEMP TABLE deferred_index AS
       SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS def FROM pg_index
       WHERE indrelid = ANY ('{issues,comments,issue_events,issue_labels}'::regclass[]) AND NOT indisunique AND NOT indisprimary`,
    `DO $$ DECLARE r record; BEGIN FOR r IN SELECT name FROM deferred_index LOOP EXECUTE 'DROP INDEX ' || r.name; END LOOP; END $$`,
    `CREATE FUNCTION pg_temp.h(t text) RETURNS bigint LANGUAGE sql IMMUTABLE AS
       $$ SELECT ('x' || substr(md5(t), 1, 12))::bit(48)::bigint $$`,
    // Version-4-shaped UUIDs that spell the kind and the index: distinct across kinds, cheap
    // to compute, and ascending like the app's time-ordered uuid(7) keys.
    `CREATE FUNCTION pg_temp.uid(kind int, n bigint) RETURNS uuid LANGUAGE sql IMMUTABLE AS
       $$ SELECT (lpad(to_hex(kind), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid $$`,
    // A fixed pool of 12-word phrases; titles, descriptions and comments pick from it by hash.
    `CREATE TEMP TABLE phrase AS
       SELECT n, ARRAY(SELECT (${words})[1 + (pg_temp.h('w' || n || ':' || k) % ${WORDS.length})::int] FROM generate_series(1, 12) k) AS w
       FROM generate_series(0, ${PHRASES - 1}) n`,
    `CREATE TEMP TABLE state_def (pos int, name text, category "StatusCategory")`,
    `INSERT INTO state_def VALUES ${states}`,
    `INSERT INTO organizations (id, name, slug, created_at)
       SELECT ${id('org', 'o')}, 'Organization ' || o, 'org-' || o, timestamptz '2025-01-01' + o * interval '1 hour'
       FROM generate_series(0, ${p.orgs - 1}) o`,
    `INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
       SELECT ${id('user', 'u')}, 'user' || u || '@bench.test', 'User ' || u, $1,
              timestamptz '2025-01-01' + u * interval '1 minute', timestamptz '2025-01-01' + u * interval '1 minute'
       FROM generate_series(0, ${usersTotal - 1}) u`,
    // Everyone in their home organization (the first is OWNER, the second ADMIN); every third
    // user is also a MEMBER of a second one, so some users act in two tenants.
    `INSERT INTO memberships (org_id, user_id, role, joined_at)
       SELECT ${id('org', `u % ${p.orgs}`)}, ${id('user', 'u')},
              (CASE WHEN u < ${p.orgs} THEN 'OWNER' WHEN u < ${2 * p.orgs} THEN 'ADMIN' ELSE 'MEMBER' END)::"Role", timestamptz '2025-02-01'
       FROM generate_series(0, ${usersTotal - 1}) u
       UNION ALL
       SELECT ${id('org', `(u % ${p.orgs} + 1 + u % 7) % ${p.orgs}`)}, ${id('user', 'u')}, 'MEMBER', timestamptz '2025-02-01'
       FROM generate_series(0, ${usersTotal - 1}) u WHERE u % 3 = 0`,
    `INSERT INTO projects (id, org_id, key, name, description, lead_id, issue_seq, created_at, updated_at)
       SELECT ${id('project', 'pr')}, ${orgOf('pr')}, (${keys})[1 + pr % ${p.projectsPerOrg}], 'Project ' || pr,
              'Generated for the benchmark', ${id('user', `pr / ${p.projectsPerOrg}`)},
              CASE WHEN pr = 0 THEN ${big} ELSE ${p.issuesPerProject} END,
              timestamptz '2025-03-01', timestamptz '2025-03-01'
       FROM generate_series(0, ${projectsTotal - 1}) pr`,
    `INSERT INTO workflow_states (id, org_id, project_id, name, category, position)
       SELECT ${id('state', 'pr * 4 + s.pos')}, ${orgOf('pr')}, ${id('project', 'pr')}, s.name, s.category, s.pos
       FROM generate_series(0, ${projectsTotal - 1}) pr CROSS JOIN state_def s`,
    `INSERT INTO workflow_transitions (org_id, from_state_id, to_state_id)
       SELECT ${orgOf('pr')}, ${id('state', 'pr * 4 + t.a')}, ${id('state', 'pr * 4 + t.b')}
       FROM generate_series(0, ${projectsTotal - 1}) pr CROSS JOIN (VALUES ${transitions}) t(a, b)`,
    `INSERT INTO labels (id, org_id, project_id, name, color)
       SELECT ${id('label', `pr * ${p.labelsPerProject} + l`)}, ${orgOf('pr')}, ${id('project', 'pr')},
              (${words})[1 + l * 7], '#' || substr(md5('color' || l), 1, 6)
       FROM generate_series(0, ${projectsTotal - 1}) pr CROSS JOIN generate_series(0, ${p.labelsPerProject - 1}) l`,
    `INSERT INTO sprints (id, org_id, project_id, name, state, start_date, end_date, created_at)
       SELECT ${id('sprint', 'pr * 2 + s')}, ${orgOf('pr')}, ${id('project', 'pr')},
              'Sprint ' || (s + 1), (CASE s WHEN 0 THEN 'ACTIVE' ELSE 'PLANNED' END)::"SprintState",
              timestamptz '2026-11-01' + s * interval '14 days', timestamptz '2026-11-15' + s * interval '14 days', timestamptz '2026-10-01'
       FROM generate_series(0, ${projectsTotal - 1}) pr CROSS JOIN generate_series(0, 1) s`,
    // One hash per issue; its bit ranges drive every choice. Status: 40% To Do, 25% In
    // Progress, 10% In Review, 25% Done.
    `CREATE TEMP TABLE gen_issue AS
       SELECT i, pr, pr / ${p.projectsPerOrg} AS o, number, r,
              CASE WHEN r % 100 < 40 THEN 0 WHEN r % 100 < 65 THEN 1 WHEN r % 100 < 75 THEN 2 ELSE 3 END AS pos
       FROM (SELECT i, ${projectOf} AS pr, ${numberOf} AS number, pg_temp.h('issue' || i) AS r
             FROM generate_series(0, ${issuesTotal - 1}) i) g`,
    // Ranks are fixed-width and end in a letter, so they sort by number and satisfy rank.ts.
    `INSERT INTO issues (id, org_id, project_id, number, type, title, description, status_id, priority, assignee_id,
                         reporter_id, story_points, sprint_id, rank, version, created_at, updated_at)
       SELECT ${id('issue', 'i')}, ${id('org', 'o')}, ${id('project', 'pr')}, number,
              (ARRAY['STORY','TASK','BUG'])[1 + ((r >> 8) % 3)::int]::"IssueType",
              initcap(array_to_string(t.w[1:3 + ((r >> 12) % 4)::int], ' ')),
              array_to_string(d.w, ' '),
              ${id('state', 'pr * 4 + pos')},
              (ARRAY['NONE','LOW','MEDIUM','HIGH','URGENT'])[1 + ((r >> 16) % 5)::int]::"Priority",
              CASE WHEN (r >> 20) % 5 = 0 THEN NULL ELSE ${member('o', 'r >> 24')} END,
              ${member('o', 'r >> 28')},
              CASE WHEN (r >> 32) % 2 = 0 THEN NULL ELSE 1 + (r >> 33) % 8 END,
              CASE WHEN (r >> 36) % 3 = 0 THEN ${id('sprint', 'pr * 2')} END,
              'i' || lpad(number::text, 6, '0') || 'i', 1 + (pos > 0)::int,
              timestamptz '2026-01-01' + i * interval '2 minutes',
              timestamptz '2026-01-01' + i * interval '2 minutes' + ((r >> 38) % 1000) * interval '1 minute'
       FROM gen_issue
       JOIN phrase t ON t.n = (r >> 4) % ${PHRASES}
       JOIN phrase d ON d.n = (r >> 24) % ${PHRASES}`,
    // Zero to three distinct labels per issue (about 1.5 on average).
    `INSERT INTO issue_labels (org_id, issue_id, label_id)
       SELECT ${id('org', 'o')}, ${id('issue', 'i')}, ${id('label', `pr * ${p.labelsPerProject} + (i + j * 3) % ${p.labelsPerProject}`)}
       FROM gen_issue CROSS JOIN generate_series(0, 2) j
       WHERE (r >> (40 + j)) % 2 = 0`,
    `INSERT INTO comments (id, org_id, issue_id, author_id, body, created_at)
       SELECT ${id('comment', `i * ${p.commentsPerIssue} + c`)}, ${id('org', 'o')}, ${id('issue', 'i')},
              ${member('o', '(r >> 4) + c')}, array_to_string(b.w[1:8], ' '),
              timestamptz '2026-01-01' + i * interval '2 minutes' + (c + 1) * interval '1 hour'
       FROM gen_issue CROSS JOIN generate_series(0, ${p.commentsPerIssue - 1}) c
       JOIN phrase b ON b.n = ((r >> 8) + c * 977) % ${PHRASES}`,
    // History: one CREATED event per issue, shaped as createIssue writes it, plus the
    // TRANSITIONED event that moved each issue past the first state.
    `INSERT INTO issue_events (org_id, project_id, issue_id, actor_id, kind, field, "from", "to", at)
       SELECT iss.org_id, iss.project_id, iss.id, iss.reporter_id, 'CREATED', NULL, 'null'::jsonb,
              jsonb_build_object('key', p.key || '-' || iss.number, 'title', iss.title, 'type', iss.type), iss.created_at
       FROM issues iss JOIN projects p ON p.id = iss.project_id
       ORDER BY iss.id`,
    `INSERT INTO issue_events (org_id, project_id, issue_id, actor_id, kind, field, "from", "to", at)
       SELECT ${id('org', 'g.o')}, ${id('project', 'g.pr')}, ${id('issue', 'g.i')}, ${member('g.o', 'g.r >> 28')},
              'TRANSITIONED', 'status',
              jsonb_build_object('id', ${globalId('WorkflowState', id('state', 'g.pr * 4'))}, 'name', 'To Do', 'category', 'TODO'),
              jsonb_build_object('id', ${globalId('WorkflowState', id('state', 'g.pr * 4 + g.pos'))}, 'name', s.name, 'category', s.category),
              timestamptz '2026-01-01' + g.i * interval '2 minutes' + interval '1 day'
       FROM gen_issue g JOIN state_def s ON s.pos = g.pos
       WHERE g.pos > 0
       ORDER BY g.i`,
    `DO $$ DECLARE r record; BEGIN FOR r IN SELECT def FROM deferred_index LOOP EXECUTE r.def; END LOOP; END $$`,
    `RESET session_replication_role`,
    `ANALYZE`,
  ];
}
