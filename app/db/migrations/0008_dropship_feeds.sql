CREATE TABLE "distributor_feed" (
	"provider_id" uuid PRIMARY KEY NOT NULL,
	"shop_id" uuid NOT NULL,
	"protocol" text NOT NULL,
	"host" text NOT NULL,
	"port" integer,
	"path" text NOT NULL,
	"schedule_hour" integer DEFAULT 6 NOT NULL,
	"mode" text DEFAULT 'complete' NOT NULL,
	"columns" jsonb NOT NULL,
	"delimiter" text DEFAULT ',' NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"alert" jsonb,
	"last_success_at" timestamp with time zone,
	"last_scheduled_day" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "distributor_sku_map" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"shop_sku" text NOT NULL,
	"provider_id" uuid NOT NULL,
	"distributor_sku" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dropship_product" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"sku" text NOT NULL,
	"title" text,
	"barcode" text,
	"cart_product_id" text,
	"cart_variant_id" text,
	"cart_inventory_item_id" text,
	"push_stock" boolean DEFAULT false NOT NULL,
	"safety_buffer" integer DEFAULT 0 NOT NULL,
	"pushed_stock" integer,
	"pushed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "feed_run" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"provider_id" uuid NOT NULL,
	"trigger" text NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"rows_read" integer DEFAULT 0 NOT NULL,
	"rows_changed" integer DEFAULT 0 NOT NULL,
	"rows_zeroed" integer DEFAULT 0 NOT NULL,
	"rows_rejected" integer DEFAULT 0 NOT NULL,
	"rejected" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"error" text,
	"stock_push" jsonb
);
--> statement-breakpoint
CREATE TABLE "feed_stage_row" (
	"run_id" uuid NOT NULL,
	"line" integer NOT NULL,
	"sku" text NOT NULL,
	"warehouse" text NOT NULL,
	"stock" integer NOT NULL,
	"cost" numeric(14, 4) NOT NULL,
	"lead_time_days" integer NOT NULL,
	"product_name" text,
	"barcode" text
);
--> statement-breakpoint
DROP INDEX "distributor_item_provider_sku_key";--> statement-breakpoint
ALTER TABLE "distributor_item" ADD COLUMN "warehouse" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "distributor_item" ADD COLUMN "product_name" text;--> statement-breakpoint
ALTER TABLE "distributor_item" ADD COLUMN "barcode" text;--> statement-breakpoint
ALTER TABLE "distributor_feed" ADD CONSTRAINT "distributor_feed_provider_id_provider_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."provider"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "distributor_feed" ADD CONSTRAINT "distributor_feed_shop_id_shop_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shop"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "distributor_sku_map" ADD CONSTRAINT "distributor_sku_map_shop_id_shop_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shop"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "distributor_sku_map" ADD CONSTRAINT "distributor_sku_map_provider_id_provider_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."provider"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dropship_product" ADD CONSTRAINT "dropship_product_shop_id_shop_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shop"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feed_run" ADD CONSTRAINT "feed_run_shop_id_shop_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shop"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feed_run" ADD CONSTRAINT "feed_run_provider_id_provider_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."provider"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feed_stage_row" ADD CONSTRAINT "feed_stage_row_run_id_feed_run_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."feed_run"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "distributor_feed_shop_idx" ON "distributor_feed" USING btree ("shop_id");--> statement-breakpoint
CREATE UNIQUE INDEX "distributor_sku_map_key" ON "distributor_sku_map" USING btree ("shop_id","shop_sku","provider_id");--> statement-breakpoint
CREATE UNIQUE INDEX "dropship_product_shop_sku_key" ON "dropship_product" USING btree ("shop_id","sku");--> statement-breakpoint
CREATE INDEX "dropship_product_shop_barcode_idx" ON "dropship_product" USING btree ("shop_id","barcode") WHERE "dropship_product"."barcode" is not null;--> statement-breakpoint
CREATE INDEX "feed_run_provider_idx" ON "feed_run" USING btree ("provider_id","started_at" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "feed_run_one_running_key" ON "feed_run" USING btree ("provider_id") WHERE "feed_run"."status" = 'running';--> statement-breakpoint
CREATE INDEX "feed_stage_row_run_idx" ON "feed_stage_row" USING btree ("run_id","sku","warehouse");--> statement-breakpoint
CREATE INDEX "distributor_item_shop_barcode_idx" ON "distributor_item" USING btree ("shop_id","barcode") WHERE "distributor_item"."barcode" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "distributor_item_provider_sku_key" ON "distributor_item" USING btree ("provider_id","sku","warehouse");