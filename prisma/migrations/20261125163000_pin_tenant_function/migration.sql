-- Pins the transaction's tenant and caller and answers the caller's role there, in one
-- statement: every request used to pay a second round trip for the membership check.
-- SECURITY INVOKER on purpose: the caller reads its own membership through the
-- memberships policy (user_id = app_current_user()), set one line earlier.
CREATE FUNCTION app_pin_tenant(org text, member text) RETURNS text
  LANGUAGE plpgsql VOLATILE
  SET search_path = public, pg_temp
AS $$
BEGIN
  PERFORM set_config('app.org_id', org, true), set_config('app.user_id', member, true);
  RETURN (SELECT m.role::text FROM memberships m
          WHERE m.org_id = NULLIF(org, '')::uuid AND m.user_id = NULLIF(member, '')::uuid);
END
$$;
REVOKE ALL ON FUNCTION app_pin_tenant(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_pin_tenant(text, text) TO tracker_app;
