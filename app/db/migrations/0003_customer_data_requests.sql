CREATE TABLE "customer_data_request" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"cart_request_id" text NOT NULL,
	"customer_id" text,
	"customer_email" text,
	"order_count" integer NOT NULL,
	"export" jsonb NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"downloaded_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "customer_data_request" ADD CONSTRAINT "customer_data_request_shop_id_shop_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shop"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "customer_data_request_cart_key" ON "customer_data_request" USING btree ("shop_id","cart_request_id");--> statement-breakpoint
CREATE INDEX "customer_data_request_shop_idx" ON "customer_data_request" USING btree ("shop_id","requested_at" DESC NULLS LAST);