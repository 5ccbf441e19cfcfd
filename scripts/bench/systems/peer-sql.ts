// What the peer needs in the database: full-text search is not something PostGraphile
// derives from a table, so W3 goes through a STABLE SQL function it exposes as a root field
// (the usual PostGraphile way). Same predicate and order as the API's search; the tenant
// filter is row-level security alone. Lives in its own schema of the per-run copy only.
export const PEER_SQL = [
  `CREATE SCHEMA IF NOT EXISTS bench_peer`,
  `GRANT USAGE ON SCHEMA bench_peer TO tracker_app`,
  `CREATE OR REPLACE FUNCTION bench_peer.search_issues(query text, categories "StatusCategory"[])
   RETURNS SETOF issues LANGUAGE sql STABLE AS $$
     SELECT i.* FROM issues i
     WHERE i.deleted_at IS NULL
       AND i.search_vector @@ websearch_to_tsquery('english', query)
       AND i.status_id IN (SELECT s.id FROM workflow_states s WHERE s.category = ANY (categories))
     ORDER BY ts_rank(i.search_vector, websearch_to_tsquery('english', query)) DESC, i.id DESC
   $$`,
];
