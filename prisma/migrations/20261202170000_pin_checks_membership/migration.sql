-- The pin is the membership check (README "The request transaction"): it raises for a caller
-- who is not a member instead of answering a null role, so no caller of it can forget to look.
-- With lock_membership (mutations) it also share-locks the caller's membership row until the
-- transaction ends: the role it answers stays true until the request's writes commit, and a
-- removal or role change waits for them (and then applies) instead of racing them.
-- An empty org or member pins without a check: the viewer's own scope, background work.
DROP FUNCTION app_pin_tenant(text, text);
CREATE FUNCTION app_pin_tenant(org text, member text, lock_membership boolean DEFAULT false) RETURNS text
  LANGUAGE plpgsql VOLATILE
  SET search_path = public, pg_temp
AS $$
DECLARE
  found text;
BEGIN
  PERFORM set_config('app.org_id', org, true), set_config('app.user_id', member, true);
  IF org = '' OR member = '' THEN
    RETURN NULL;
  END IF;
  IF lock_membership THEN
    SELECT m.role::text INTO found FROM memberships m
      WHERE m.org_id = org::uuid AND m.user_id = member::uuid FOR SHARE;
  ELSE
    SELECT m.role::text INTO found FROM memberships m
      WHERE m.org_id = org::uuid AND m.user_id = member::uuid;
  END IF;
  IF found IS NULL THEN
    -- TN403: ours (class TN, "tenancy"); database-errors.ts answers it as FORBIDDEN.
    RAISE EXCEPTION 'not a member of this organization' USING ERRCODE = 'TN403';
  END IF;
  RETURN found;
END
$$;
REVOKE ALL ON FUNCTION app_pin_tenant(text, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_pin_tenant(text, text, boolean) TO tracker_app;

-- The per-project event lock (issue_events_serialize) taken by name, so a writer can take it
-- FIRST, before any row lock in that project: a request holds it until it commits, so a writer
-- that took a row lock first and then waited for it could deadlock with a document whose first
-- mutation already held it and whose second wanted that row. One lock order for every writer
-- of a project: event lock, then rows. Returns true, to sit in a WHERE clause ahead of the
-- row locks of the same statement.
CREATE FUNCTION app_lock_project_events(project uuid) RETURNS boolean
  LANGUAGE plpgsql VOLATILE
  SET search_path = public, pg_temp
AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(1953653108, hashtext(project::text));
  RETURN true;
END
$$;
REVOKE ALL ON FUNCTION app_lock_project_events(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_lock_project_events(uuid) TO tracker_app;

CREATE OR REPLACE FUNCTION issue_events_serialize() RETURNS trigger LANGUAGE plpgsql
  SET search_path = public, pg_temp
AS $$
BEGIN
  PERFORM app_lock_project_events(NEW.project_id);
  NEW.id := nextval('issue_events_id_seq');
  RETURN NEW;
END
$$;
