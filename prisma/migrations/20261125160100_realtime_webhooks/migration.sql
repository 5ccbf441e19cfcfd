-- Webhooks with their delivery outbox, and the database half of realtime. Ordering, fan-out
-- notifications and the outbox are triggers on issue_events, so no writer can skip them.

-- CreateEnum
CREATE TYPE "WebhookDeliveryStatus" AS ENUM ('PENDING', 'SUCCEEDED', 'FAILED');

-- CreateTable
CREATE TABLE "webhooks" (
    "id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "events" TEXT[],
    "secret" TEXT NOT NULL,
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhooks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" BIGSERIAL NOT NULL,
    "org_id" UUID NOT NULL,
    "webhook_id" UUID NOT NULL,
    "event_id" BIGINT NOT NULL,
    "status" "WebhookDeliveryStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "response_status" INTEGER,
    "last_error" TEXT,
    "last_attempt_at" TIMESTAMPTZ(3),
    "next_attempt_at" TIMESTAMPTZ(3) DEFAULT CURRENT_TIMESTAMP,
    "leased_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "webhooks_org_id_project_id_idx" ON "webhooks"("org_id", "project_id");

-- CreateIndex
CREATE UNIQUE INDEX "webhooks_org_id_id_key" ON "webhooks"("org_id", "id");

-- CreateIndex
CREATE INDEX "webhook_deliveries_org_id_webhook_id_id_idx" ON "webhook_deliveries"("org_id", "webhook_id", "id");

-- AddForeignKey
ALTER TABLE "webhooks" ADD CONSTRAINT "webhooks_org_id_project_id_fkey" FOREIGN KEY ("org_id", "project_id") REFERENCES "projects"("org_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_org_id_webhook_id_fkey" FOREIGN KEY ("org_id", "webhook_id") REFERENCES "webhooks"("org_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;


-- ---- tenancy: the same isolation as every other tenant table ----
SELECT app_enable_tenant_rls(t) FROM unnest(ARRAY['webhooks', 'webhook_deliveries']::regclass[]) AS t;
GRANT SELECT, INSERT, UPDATE, DELETE ON webhooks, webhook_deliveries TO tracker_app;
GRANT USAGE, SELECT ON SEQUENCE webhook_deliveries_id_seq TO tracker_app;

-- ---- commit order within a project ----
-- A subscriber resumes "after event N", so within one project an event id must never become
-- visible before every smaller id of that project is committed (or rolled back). A sequence
-- hands out ids before commit, so two writers could commit out of id order. Each writer
-- therefore takes a per-project lock that it holds until it ends, and draws the id only then:
-- the column default's value is replaced (the gap it leaves is harmless). The lock is taken
-- at the last write of a change, so it serializes only the commit tail of writers to one project.
CREATE FUNCTION issue_events_serialize() RETURNS trigger LANGUAGE plpgsql
  SET search_path = public, pg_temp
AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(1953653108, hashtext(NEW.project_id::text));
  NEW.id := nextval('issue_events_id_seq');
  RETURN NEW;
END
$$;
CREATE TRIGGER issue_events_serialize BEFORE INSERT ON issue_events
  FOR EACH ROW EXECUTE FUNCTION issue_events_serialize();

-- ---- fan-out and outbox, both delivered only if the change commits ----
-- NOTIFY wakes the realtime listener of every instance (payload: tenant, project, newest id;
-- instances read the rows themselves under RLS). The outbox rows and their graphile-worker
-- jobs are written in the change's own transaction: a committed change always gets its
-- deliveries, a rolled-back one never does.
CREATE FUNCTION issue_events_publish() RETURNS trigger LANGUAGE plpgsql
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
  SELECT count(graphile_worker.add_job('webhook_delivery', json_build_object('orgId', org_id, 'deliveryId', id::text)))
  INTO queued FROM delivery;
  RETURN NULL;
END
$$;
CREATE TRIGGER issue_events_publish AFTER INSERT ON issue_events
  REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION issue_events_publish();
