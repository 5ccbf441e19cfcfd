-- Fair webhook delivery between tenants, and one definition of how a delivery is queued.
--
-- Each delivery job goes to one of its tenant's two graphile-worker queues ("lanes", by delivery
-- id). graphile-worker runs one job per queue at a time across every instance, so a tenant
-- never has more than two deliveries in flight however slow its receivers are: the other
-- workers stay free for everyone else. Queues cost nothing when idle and need no counter to
-- keep right after a crash (a queue's lock goes with its job's). Two lanes keep the cost of
-- fairness low for a busy tenant with quick receivers (two at a time, back to back) while
-- leaving a default cluster (two instances x WEBHOOK_WORKER_CONCURRENCY 4) six free slots.
--
-- plpgsql, not sql: the body is checked when it runs, and graphile-worker installs its schema
-- after these migrations.
CREATE FUNCTION webhook_enqueue(p_org_id uuid, p_delivery_id bigint, p_run_at timestamptz DEFAULT NULL, p_job_key text DEFAULT NULL)
  RETURNS void LANGUAGE plpgsql
  SET search_path = public, pg_temp
AS $$
BEGIN
  PERFORM graphile_worker.add_job(
    'webhook_delivery',
    json_build_object('orgId', p_org_id, 'deliveryId', p_delivery_id::text),
    queue_name := 'webhooks:' || p_org_id::text || ':' || (p_delivery_id % 2)::text,
    run_at := p_run_at,
    job_key := p_job_key);
END
$$;
REVOKE ALL ON FUNCTION webhook_enqueue(uuid, bigint, timestamptz, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION webhook_enqueue(uuid, bigint, timestamptz, text) TO tracker_app;

CREATE OR REPLACE FUNCTION issue_events_publish() RETURNS trigger LANGUAGE plpgsql
  SET search_path = public, pg_temp
AS $$
DECLARE
  queued int;
BEGIN
  PERFORM pg_notify('issue_events', json_build_object('o', org_id, 'p', project_id, 'i', max(id)::text)::text)
  FROM inserted GROUP BY org_id, project_id;
  WITH delivery AS (
    INSERT INTO webhook_deliveries (org_id, webhook_id, event_id)
    SELECT e.org_id, w.id, e.id
    FROM inserted e
    JOIN webhooks w ON w.org_id = e.org_id AND w.project_id = e.project_id AND w.is_active
                   AND (e.kind = ANY (w.events) OR '*' = ANY (w.events))
    ORDER BY e.id, w.id
    RETURNING org_id, id
  )
  SELECT count(webhook_enqueue(org_id, id)) INTO queued FROM delivery;
  RETURN NULL;
END
$$;
