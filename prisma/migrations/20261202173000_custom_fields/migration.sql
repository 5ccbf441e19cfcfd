-- Custom fields per project and their values per issue: tenant tables like every other.
-- CreateEnum
CREATE TYPE "CustomFieldType" AS ENUM ('TEXT', 'NUMBER', 'DATE', 'SELECT', 'USER');

-- CreateTable
CREATE TABLE "custom_fields" (
    "id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "type" "CustomFieldType" NOT NULL,
    "options" TEXT[],
    "required" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "custom_fields_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "custom_field_values" (
    "org_id" UUID NOT NULL,
    "issue_id" UUID NOT NULL,
    "field_id" UUID NOT NULL,
    "value" TEXT NOT NULL,
    "user_id" UUID,

    CONSTRAINT "custom_field_values_pkey" PRIMARY KEY ("org_id","issue_id","field_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "custom_fields_org_id_id_key" ON "custom_fields"("org_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "custom_fields_org_id_project_id_name_key" ON "custom_fields"("org_id", "project_id", "name");

-- CreateIndex
CREATE INDEX "custom_field_values_org_id_field_id_value_issue_id_idx" ON "custom_field_values"("org_id", "field_id", "value", "issue_id");

-- AddForeignKey
ALTER TABLE "custom_fields" ADD CONSTRAINT "custom_fields_org_id_project_id_fkey" FOREIGN KEY ("org_id", "project_id") REFERENCES "projects"("org_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "custom_field_values" ADD CONSTRAINT "custom_field_values_org_id_issue_id_fkey" FOREIGN KEY ("org_id", "issue_id") REFERENCES "issues"("org_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "custom_field_values" ADD CONSTRAINT "custom_field_values_org_id_field_id_fkey" FOREIGN KEY ("org_id", "field_id") REFERENCES "custom_fields"("org_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Bounds the index can hold (a btree entry is at most ~2.7 kB): the service caps TEXT values
-- at 500 characters; this is the backstop for any other writer.
ALTER TABLE "custom_field_values" ADD CONSTRAINT "custom_field_values_value_length" CHECK (octet_length("value") <= 2048);

-- Tenant isolation, like every tenant table.
SELECT app_enable_tenant_rls(t) FROM unnest(ARRAY['custom_fields', 'custom_field_values']::regclass[]) AS t;
GRANT SELECT, INSERT, UPDATE, DELETE ON custom_fields, custom_field_values TO tracker_app;

-- A USER value names a member of the organization when it is written.
CREATE TRIGGER require_members BEFORE INSERT OR UPDATE OF user_id ON custom_field_values
  FOR EACH ROW EXECUTE FUNCTION app_require_members('user_id');
