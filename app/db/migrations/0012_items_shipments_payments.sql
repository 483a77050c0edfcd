ALTER TABLE "payment_transaction" ADD COLUMN "parent_cart_transaction_id" text;--> statement-breakpoint
ALTER TABLE "payment_transaction" ADD COLUMN "processed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "payment_transaction" ADD COLUMN "error_message" text;--> statement-breakpoint
ALTER TABLE "shipment" ADD COLUMN "shipment_method" text;