-- A project belongs to one organization, but the planner multiplies the selectivities of
-- org_id and project_id as if they were independent and expects under one issue per project.
-- With every candidate index costed at one row, an issue looked up by key could be read
-- through the (org_id, project_id, rank, id) index, filtering the project's issues one by one
-- for the number (a 200,000-issue project: all of them), instead of the unique
-- (org_id, project_id, number) index. These statistics tell the planner that project_id
-- determines org_id, so a project is estimated at its real size where the project is a value
-- (the lookups by key pass it as a subquery, projectByKey in issue-lookup.ts; across a join the
-- planner does not use them). ANALYZE fills them now rather than at autovacuum's next visit.
CREATE STATISTICS "issues_org_id_project_id_stats" (dependencies, ndistinct) ON "org_id", "project_id" FROM "issues";

ANALYZE "issues";
