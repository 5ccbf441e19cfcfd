// B0's SQL: one statement per read operation, which also returns the caller's role (NULL =
// not a member), so a read costs two round trips: set_config, then this. Row-level security
// applies (tracker_app); the explicit org_id = $1 is the same tenant filter the API writes.
// Pages are cut before the joins, so only the rows returned are joined.

/** Session-level settings, re-set on every checkout, so a pooled connection never keeps a tenant. */
export const SET_TENANT = `SELECT set_config('app.org_id', $1, false), set_config('app.user_id', $2, false)`;

const ROLE = `(SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2) AS role`;

export const W1_ISSUE = `
SELECT ${ROLE}, x.*
FROM (VALUES (1)) one(n)
LEFT JOIN (
  SELECT i.number, i.title, i.priority::text AS priority, s.name AS status_name, s.category::text AS status_category,
         u.id AS assignee_id, u.name AS assignee_name
  FROM projects p
  JOIN issues i ON i.org_id = $1 AND i.project_id = p.id AND i.number = $4 AND i.deleted_at IS NULL
  JOIN workflow_states s ON s.id = i.status_id
  LEFT JOIN users u ON u.id = i.assignee_id
  WHERE p.org_id = $1 AND p.key = $3
) x ON true`;

// Board order (rank, then id, like the API); labels folded into one JSON column per issue. Sent
// unnamed (planned per call), like the API's: a generic plan takes every project for an average
// one and sorts a heap scan, which on a 200,000-issue project reads all of it.
export const W2_BOARD = `
SELECT ${ROLE}, p.key AS project_key, p.name AS project_name, x.*
FROM (VALUES (1)) one(n)
LEFT JOIN projects p ON p.org_id = $1 AND p.key = $3
LEFT JOIN LATERAL (
  SELECT i.id, i.number, i.title, i.priority::text AS priority, i.rank, s.name AS status_name, s.category::text AS status_category,
         u.id AS assignee_id, u.name AS assignee_name,
         (SELECT coalesce(json_agg(json_build_object('name', l.name, 'color', l.color) ORDER BY l.name), '[]'::json)
            FROM issue_labels il JOIN labels l ON l.id = il.label_id WHERE il.issue_id = i.id) AS labels
  FROM (SELECT id, number, title, priority, rank, status_id, assignee_id FROM issues
        WHERE org_id = $1 AND project_id = p.id AND deleted_at IS NULL ORDER BY rank, id LIMIT $4::int + 1) i
  JOIN workflow_states s ON s.id = i.status_id
  LEFT JOIN users u ON u.id = i.assignee_id
  ORDER BY i.rank, i.id
) x ON true`;

// Relevance order with id as the tie-breaker, as listIssues sorts a text search. Sent
// unnamed (planned per call): a cached generic plan can't see how selective the words are.
export const W3_SEARCH = `
SELECT ${ROLE}, x.*
FROM (VALUES (1)) one(n)
LEFT JOIN (
  SELECT i.number, p.key AS project_key, i.title, i.priority::text AS priority, s.name AS status_name, s.category::text AS status_category
  FROM (SELECT id, number, title, priority, project_id, status_id, ts_rank(search_vector, websearch_to_tsquery('english', $3)) AS score
        FROM issues
        WHERE org_id = $1 AND deleted_at IS NULL AND search_vector @@ websearch_to_tsquery('english', $3)
          AND status_id IN (SELECT id FROM workflow_states WHERE org_id = $1 AND category = ANY ($4::"StatusCategory"[]))
        ORDER BY score DESC, id DESC LIMIT $5) i
  JOIN projects p ON p.id = i.project_id
  JOIN workflow_states s ON s.id = i.status_id
  ORDER BY i.score DESC, i.id DESC
) x ON true`;

// createIssue in four statements inside BEGIN/COMMIT: take the number (locking the project
// row, as the API does), read the first state, the last rank and the assignee, then insert the
// issue and its CREATED event together.
export const W4_TAKE_NUMBER = `
UPDATE projects SET issue_seq = issue_seq + 1
WHERE org_id = $1 AND key = $2 AND archived_at IS NULL
  AND EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = $1 AND m.user_id = $3 AND m.role <> 'VIEWER')
RETURNING id, key, issue_seq`;

export const W4_CONTEXT = `
SELECT s.id AS state_id, s.name AS state_name, s.category::text AS state_category,
       (SELECT rank FROM issues WHERE project_id = $1 ORDER BY rank DESC LIMIT 1) AS last_rank,
       (SELECT u.name FROM users u JOIN memberships m ON m.user_id = u.id AND m.org_id = $2 WHERE u.id = $3) AS assignee_name
FROM workflow_states s WHERE s.project_id = $1 ORDER BY s.position LIMIT 1`;

export const W4_INSERT = `
WITH i AS (
  INSERT INTO issues (id, org_id, project_id, number, type, title, status_id, priority, assignee_id, reporter_id, rank, updated_at)
  VALUES ($1, $2, $3, $4, 'TASK', $5, $6, $7::"Priority", $8, $9, $10, now())
  RETURNING id, project_id, number, title, priority
), e AS (
  INSERT INTO issue_events (org_id, project_id, issue_id, actor_id, kind, "from", "to")
  SELECT $2, i.project_id, i.id, $9, 'CREATED', 'null'::jsonb, jsonb_build_object('key', $11::text, 'title', i.title, 'type', 'TASK')
  FROM i
)
SELECT number, title, priority::text AS priority FROM i`;
