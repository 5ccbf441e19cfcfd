-- CreateTable
CREATE TABLE "attachments" (
    "id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "issue_id" UUID NOT NULL,
    "uploader_id" UUID NOT NULL,
    "file_name" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "object_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "attachments_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "attachments_org_id_issue_id_created_at_idx" ON "attachments"("org_id", "issue_id", "created_at");

-- CreateIndex
CREATE INDEX "attachments_org_id_completed_at_created_at_idx" ON "attachments"("org_id", "completed_at", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "attachments_org_id_id_key" ON "attachments"("org_id", "id");

-- AddForeignKey
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_org_id_issue_id_fkey" FOREIGN KEY ("org_id", "issue_id") REFERENCES "issues"("org_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Tenant isolation, like every tenant table.
SELECT app_enable_tenant_rls('attachments');

-- The uploader is a member of the organization when the row is written.
CREATE TRIGGER require_members BEFORE INSERT OR UPDATE OF uploader_id ON attachments
  FOR EACH ROW EXECUTE FUNCTION app_require_members('uploader_id');
