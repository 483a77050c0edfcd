ALTER TABLE "line_item" ADD COLUMN "distributor_sku" text;--> statement-breakpoint
ALTER TABLE "submission" ADD COLUMN "dropship" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "submission" ADD COLUMN "line_ids" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "submission" ADD COLUMN "shipping_address" jsonb;--> statement-breakpoint
ALTER TABLE "submission" ADD COLUMN "placed_by" text;--> statement-breakpoint
ALTER TABLE "submission" ADD COLUMN "overdue_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "submission_shop_created_idx" ON "submission" USING btree ("shop_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);