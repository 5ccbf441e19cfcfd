-- CreateTable
CREATE TABLE "notifications" (
    "id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "issue_id" UUID NOT NULL,
    "actor_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "read_at" TIMESTAMPTZ(3),

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "notifications_org_id_user_id_created_at_id_idx" ON "notifications"("org_id", "user_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "notifications_org_id_issue_id_idx" ON "notifications"("org_id", "issue_id");

-- CreateIndex
CREATE UNIQUE INDEX "notifications_org_id_id_key" ON "notifications"("org_id", "id");

-- AddForeignKey
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_org_id_issue_id_fkey" FOREIGN KEY ("org_id", "issue_id") REFERENCES "issues"("org_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Tenant isolation, like every tenant table.
SELECT app_enable_tenant_rls('notifications');

-- The recipient and the actor are members of the organization when it is written.
CREATE TRIGGER require_members BEFORE INSERT OR UPDATE OF user_id, actor_id ON notifications
  FOR EACH ROW EXECUTE FUNCTION app_require_members('user_id', 'actor_id');
