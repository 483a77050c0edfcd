-- Imports (decision 38): no index kept up to date that no query reads. line_item by SKU across a
-- shop is never looked up; the submit-status index holds only orders that have one, so a new order
-- costs it nothing.
DROP INDEX "line_item_shop_sku_idx";--> statement-breakpoint
DROP INDEX "order_shop_submit_status_idx";--> statement-breakpoint
CREATE INDEX "order_shop_submit_status_idx" ON "order" USING btree ("shop_id","submit_status") WHERE "order"."submit_status" is not null;--> statement-breakpoint
-- Live pages (decision 38): the shop-change notification is sent once per statement and shop rather
-- than once per row. A statement that writes a thousand rows of one shop ran the row trigger a
-- thousand times; now it runs once and notifies each shop whose rows it touched. Transition tables
-- need one trigger per event, hence the separate INSERT, UPDATE and DELETE triggers.
CREATE OR REPLACE FUNCTION "orderlane_notify_shop_change_rows"() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('orderlane_shop_change', changed.shop_id::text)
    FROM (SELECT DISTINCT "shop_id" FROM changed_rows) AS changed;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "order_notify_shop_change" ON "order";
--> statement-breakpoint
DROP TRIGGER IF EXISTS "order_event_notify_shop_change" ON "order_event";
--> statement-breakpoint
DROP TRIGGER IF EXISTS "shipment_notify_shop_change" ON "shipment";
--> statement-breakpoint
DROP TRIGGER IF EXISTS "submission_notify_shop_change" ON "submission";
--> statement-breakpoint
DROP TRIGGER IF EXISTS "import_run_notify_shop_change" ON "import_run";
--> statement-breakpoint
CREATE TRIGGER "order_insert_notify_shop_change" AFTER INSERT ON "order"
  REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "orderlane_notify_shop_change_rows"();
--> statement-breakpoint
CREATE TRIGGER "order_update_notify_shop_change" AFTER UPDATE ON "order"
  REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "orderlane_notify_shop_change_rows"();
--> statement-breakpoint
CREATE TRIGGER "order_delete_notify_shop_change" AFTER DELETE ON "order"
  REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "orderlane_notify_shop_change_rows"();
--> statement-breakpoint
CREATE TRIGGER "order_event_insert_notify_shop_change" AFTER INSERT ON "order_event"
  REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "orderlane_notify_shop_change_rows"();
--> statement-breakpoint
CREATE TRIGGER "shipment_insert_notify_shop_change" AFTER INSERT ON "shipment"
  REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "orderlane_notify_shop_change_rows"();
--> statement-breakpoint
CREATE TRIGGER "shipment_update_notify_shop_change" AFTER UPDATE ON "shipment"
  REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "orderlane_notify_shop_change_rows"();
--> statement-breakpoint
CREATE TRIGGER "submission_insert_notify_shop_change" AFTER INSERT ON "submission"
  REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "orderlane_notify_shop_change_rows"();
--> statement-breakpoint
CREATE TRIGGER "submission_update_notify_shop_change" AFTER UPDATE ON "submission"
  REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "orderlane_notify_shop_change_rows"();
--> statement-breakpoint
CREATE TRIGGER "import_run_insert_notify_shop_change" AFTER INSERT ON "import_run"
  REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "orderlane_notify_shop_change_rows"();
--> statement-breakpoint
CREATE TRIGGER "import_run_update_notify_shop_change" AFTER UPDATE ON "import_run"
  REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "orderlane_notify_shop_change_rows"();
