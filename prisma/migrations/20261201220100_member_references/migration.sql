-- A tenant row can name only members of its own organization as users (assignee, reporter,
-- lead, author, watcher, actor, creator). Labels, sprints, states and parents are held to
-- their organization by composite foreign keys; users belong to many organizations, so the
-- rule is a trigger over memberships. Only a row being written is checked: a member who
-- leaves stays the reporter or author of what they wrote. SECURITY INVOKER: the check reads
-- memberships through the same row-level security as the write, pinned to the row's tenant.
-- A row outside the pinned tenant is left to its row-level security policy, which refuses it
-- for the app role; only the owner (migrations, bulk loads) writes such rows unchecked.
CREATE FUNCTION app_require_members() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = public, pg_temp
AS $$
DECLARE
  column_name text;
  member text;
BEGIN
  IF NEW.org_id IS DISTINCT FROM app_current_org() THEN
    RETURN NEW;
  END IF;
  FOREACH column_name IN ARRAY TG_ARGV LOOP
    member := to_jsonb(NEW) ->> column_name;
    CONTINUE WHEN member IS NULL;
    CONTINUE WHEN TG_OP = 'UPDATE' AND member IS NOT DISTINCT FROM (to_jsonb(OLD) ->> column_name);
    IF NOT EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = NEW.org_id AND m.user_id = member::uuid) THEN
      RAISE EXCEPTION 'user % is not a member of organization %', member, NEW.org_id
        USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME, COLUMN = column_name;
    END IF;
  END LOOP;
  RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION app_require_members() FROM PUBLIC;

CREATE TRIGGER require_members BEFORE INSERT OR UPDATE OF lead_id ON projects
  FOR EACH ROW EXECUTE FUNCTION app_require_members('lead_id');
CREATE TRIGGER require_members BEFORE INSERT OR UPDATE OF assignee_id, reporter_id ON issues
  FOR EACH ROW EXECUTE FUNCTION app_require_members('assignee_id', 'reporter_id');
CREATE TRIGGER require_members BEFORE INSERT OR UPDATE OF author_id ON comments
  FOR EACH ROW EXECUTE FUNCTION app_require_members('author_id');
CREATE TRIGGER require_members BEFORE INSERT OR UPDATE OF user_id ON issue_watchers
  FOR EACH ROW EXECUTE FUNCTION app_require_members('user_id');
CREATE TRIGGER require_members BEFORE INSERT OR UPDATE OF actor_id ON issue_events
  FOR EACH ROW EXECUTE FUNCTION app_require_members('actor_id');
CREATE TRIGGER require_members BEFORE INSERT OR UPDATE OF created_by_id ON webhooks
  FOR EACH ROW EXECUTE FUNCTION app_require_members('created_by_id');
CREATE TRIGGER require_members BEFORE INSERT OR UPDATE OF user_id ON idempotency_keys
  FOR EACH ROW EXECUTE FUNCTION app_require_members('user_id');
