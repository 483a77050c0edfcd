CREATE TABLE "api_token" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"last_chars" text NOT NULL,
	"created_by" text,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "import_run" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"mode" text NOT NULL,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"done" integer DEFAULT 0 NOT NULL,
	"total" integer,
	"created" integer DEFAULT 0 NOT NULL,
	"updated" integer DEFAULT 0 NOT NULL,
	"skipped" integer DEFAULT 0 NOT NULL,
	"resume_cursor" text,
	"notice" text,
	"error" text,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "woo_connect_request" (
	"nonce" text PRIMARY KEY NOT NULL,
	"store_url" text NOT NULL,
	"shop_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "line_item" ADD COLUMN "cart_product_id" text;--> statement-breakpoint
ALTER TABLE "line_item" ADD COLUMN "cart_variant_id" text;--> statement-breakpoint
ALTER TABLE "line_item" ADD COLUMN "product_url" text;--> statement-breakpoint
ALTER TABLE "order" ADD COLUMN "source_channel" text;--> statement-breakpoint
ALTER TABLE "shop" ADD COLUMN "connection" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "api_token" ADD CONSTRAINT "api_token_shop_id_shop_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shop"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_run" ADD CONSTRAINT "import_run_shop_id_shop_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shop"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "woo_connect_request" ADD CONSTRAINT "woo_connect_request_shop_id_shop_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shop"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_token_hash_key" ON "api_token" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "api_token_shop_idx" ON "api_token" USING btree ("shop_id");--> statement-breakpoint
CREATE INDEX "import_run_shop_idx" ON "import_run" USING btree ("shop_id","created_at" DESC NULLS LAST);--> statement-breakpoint
-- Live pages: every change that a catalog or order page shows notifies the shop's channel at
-- commit. The payload is only the shop id, so PostgreSQL folds a transaction's many notifications
-- into one, and a bulk import costs one notification per transaction, not one per row.
CREATE OR REPLACE FUNCTION "orderlane_notify_shop_change"() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('orderlane_shop_change', COALESCE(NEW."shop_id", OLD."shop_id")::text);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER "order_notify_shop_change" AFTER INSERT OR UPDATE OR DELETE ON "order"
  FOR EACH ROW EXECUTE FUNCTION "orderlane_notify_shop_change"();
--> statement-breakpoint
CREATE TRIGGER "order_event_notify_shop_change" AFTER INSERT ON "order_event"
  FOR EACH ROW EXECUTE FUNCTION "orderlane_notify_shop_change"();
--> statement-breakpoint
CREATE TRIGGER "shipment_notify_shop_change" AFTER INSERT OR UPDATE ON "shipment"
  FOR EACH ROW EXECUTE FUNCTION "orderlane_notify_shop_change"();
--> statement-breakpoint
CREATE TRIGGER "submission_notify_shop_change" AFTER INSERT OR UPDATE ON "submission"
  FOR EACH ROW EXECUTE FUNCTION "orderlane_notify_shop_change"();
--> statement-breakpoint
CREATE TRIGGER "import_run_notify_shop_change" AFTER INSERT OR UPDATE ON "import_run"
  FOR EACH ROW EXECUTE FUNCTION "orderlane_notify_shop_change"();
--> statement-breakpoint
-- updated_at says when we last changed the row, whoever changed it.
CREATE OR REPLACE FUNCTION "orderlane_touch_updated_at"() RETURNS trigger AS $$
BEGIN
  NEW."updated_at" = now();
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER "order_touch_updated_at" BEFORE UPDATE ON "order"
  FOR EACH ROW EXECUTE FUNCTION "orderlane_touch_updated_at"();
