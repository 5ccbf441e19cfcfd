-- CreateTable
CREATE TABLE "audit_entries" (
    "id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_id" UUID,
    "action" TEXT NOT NULL,
    "target_id" TEXT,
    "data" JSONB,

    CONSTRAINT "audit_entries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "audit_entries_org_id_at_id_idx" ON "audit_entries"("org_id", "at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "audit_entries_org_id_action_at_idx" ON "audit_entries"("org_id", "action", "at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "audit_entries_org_id_id_key" ON "audit_entries"("org_id", "id");

-- AddForeignKey
ALTER TABLE "audit_entries" ADD CONSTRAINT "audit_entries_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Tenant isolation, like every tenant table.
SELECT app_enable_tenant_rls('audit_entries');

-- Append-only for the API: the default privileges granted UPDATE and DELETE; take them back.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_entries FROM tracker_app;

-- The actor is a member of the organization when the entry is written.
CREATE TRIGGER require_members BEFORE INSERT OR UPDATE OF actor_id ON audit_entries
  FOR EACH ROW EXECUTE FUNCTION app_require_members('actor_id');
