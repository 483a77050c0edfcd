CREATE TABLE "cart_reconciliation" (
	"shop_id" uuid PRIMARY KEY NOT NULL,
	"watermark" timestamp with time zone,
	"window_since" timestamp with time zone,
	"window_until" timestamp with time zone,
	"resume_cursor" text,
	"recovered_so_far" integer DEFAULT 0 NOT NULL,
	"running_since" timestamp with time zone,
	"last_started_at" timestamp with time zone,
	"last_finished_at" timestamp with time zone,
	"last_recovered" integer DEFAULT 0 NOT NULL,
	"total_recovered" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"webhook_notice" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cart_reconciliation" ADD CONSTRAINT "cart_reconciliation_shop_id_shop_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shop"("id") ON DELETE cascade ON UPDATE no action;