-- Tenant isolation underneath the application (see README "Tenancy and row-level security").
-- The API logs in as tracker_app, which owns nothing, is no superuser and cannot bypass RLS;
-- migrations run as the owner. Every table with an org_id column gets ENABLE + FORCE row-level
-- security and a policy pinning org_id to the transaction's app.org_id.

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tracker_app') THEN
    CREATE ROLE tracker_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;
  END IF;
END
$$;

-- The tenant and the caller of the current transaction (set with set_config(..., true)).
CREATE FUNCTION app_current_org() RETURNS uuid LANGUAGE sql STABLE
  AS $$ SELECT NULLIF(current_setting('app.org_id', true), '')::uuid $$;
CREATE FUNCTION app_current_user() RETURNS uuid LANGUAGE sql STABLE
  AS $$ SELECT NULLIF(current_setting('app.user_id', true), '')::uuid $$;

-- The one way a migration puts a table under tenant isolation; new tables call it too.
CREATE FUNCTION app_enable_tenant_rls(target regclass) RETURNS void LANGUAGE plpgsql
  SET search_path = public, pg_temp
AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', target);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', target);
  EXECUTE format(
    'CREATE POLICY tenant_isolation ON %s USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org())',
    target);
END
$$;
REVOKE ALL ON FUNCTION app_enable_tenant_rls(regclass) FROM PUBLIC;

SELECT app_enable_tenant_rls(t) FROM unnest(ARRAY[
  'projects', 'workflow_states', 'workflow_transitions', 'labels', 'sprints', 'issues',
  'issue_labels', 'issue_links', 'issue_watchers', 'comments', 'issue_events', 'idempotency_keys'
]::regclass[]) AS t;

-- Memberships: a tenant sees its members; a user also sees their own memberships in every
-- organization (the `organizations` query), but can only write within the current tenant.
ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_or_self_read ON memberships FOR SELECT
  USING (org_id = app_current_org() OR user_id = app_current_user());
CREATE POLICY tenant_insert ON memberships FOR INSERT WITH CHECK (org_id = app_current_org());
CREATE POLICY tenant_update ON memberships FOR UPDATE
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());
CREATE POLICY tenant_delete ON memberships FOR DELETE USING (org_id = app_current_org());

-- Organizations: the tenant row itself, plus those the caller belongs to.
ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE organizations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_or_member_read ON organizations FOR SELECT
  USING (id = app_current_org()
         OR EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = organizations.id AND m.user_id = app_current_user()));
CREATE POLICY tenant_insert ON organizations FOR INSERT WITH CHECK (id = app_current_org());
CREATE POLICY tenant_update ON organizations FOR UPDATE
  USING (id = app_current_org()) WITH CHECK (id = app_current_org());
CREATE POLICY tenant_delete ON organizations FOR DELETE USING (id = app_current_org());

-- Grants after policies: the app role reads and writes rows, never the schema.
GRANT USAGE ON SCHEMA public TO tracker_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO tracker_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO tracker_app;
GRANT EXECUTE ON FUNCTION app_current_org(), app_current_user() TO tracker_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO tracker_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO tracker_app;
-- Only where Prisma keeps its bookkeeping (not in a shadow database used by migrate dev).
DO $$
BEGIN
  IF to_regclass('_prisma_migrations') IS NOT NULL THEN
    REVOKE ALL ON TABLE _prisma_migrations FROM tracker_app;
  END IF;
END
$$;
