-- A search is always one organization's (org_id is the policy's own condition), but the GIN
-- index on search_vector alone knows nothing of organizations: PostgreSQL either matches the
-- words across every tenant's issues or reads all of the organization's issues and tests the
-- words on each, so a search cost grew with the whole table (2.1x slower on the bench's large
-- profile, ten times the data). With org_id in the same GIN index (btree_gin gives uuid a GIN
-- operator class) both conditions are answered by one index scan and only matching rows of the
-- organization are read. btree_gin is a trusted extension (PostgreSQL 13+): the migration role
-- needs no superuser, and Amazon RDS ships it.
CREATE EXTENSION IF NOT EXISTS btree_gin;

-- DropIndex
DROP INDEX "issues_search_vector_idx";

-- CreateIndex
CREATE INDEX "issues_org_id_search_vector_idx" ON "issues" USING GIN ("org_id", "search_vector");
