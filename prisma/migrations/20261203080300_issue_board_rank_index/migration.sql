-- A project's board reads its issues in (rank, id) order under the tenant's org_id, and
-- createIssue reads the project's last rank. With org_id leading (the policy's own condition)
-- and id closing the order, both are one index range read in order, without a sort, however
-- large the project: (project_id, rank) left org_id to a filter and (rank, id) ties to an
-- incremental sort. Every app query on issues carries org_id (RLS), so the old index goes.

-- DropIndex
DROP INDEX "issues_project_id_rank_idx";

-- CreateIndex
CREATE INDEX "issues_org_id_project_id_rank_id_idx" ON "issues"("org_id", "project_id", "rank", "id");
