CREATE TYPE "public"."actor" AS ENUM('system', 'owner', 'cart', 'provider');--> statement-breakpoint
CREATE TYPE "public"."cart_status" AS ENUM('pending_payment', 'failed', 'processing', 'on_hold', 'completed', 'cancelled', 'refunded');--> statement-breakpoint
CREATE TYPE "public"."lifecycle_state" AS ENUM('new', 'pending', 'on_hold', 'open', 'closed', 'error', 'archived');--> statement-breakpoint
CREATE TYPE "public"."order_type" AS ENUM('in_app', 'amazon', 'shineon', 'other');--> statement-breakpoint
CREATE TYPE "public"."payment_kind" AS ENUM('authorization', 'capture', 'refund', 'void');--> statement-breakpoint
CREATE TYPE "public"."platform" AS ENUM('shopify', 'woocommerce', 'demo');--> statement-breakpoint
CREATE TYPE "public"."provider_kind" AS ENUM('http', 'sandbox', 'customcat', 'shineon', 'printful', 'distributor');--> statement-breakpoint
CREATE TYPE "public"."submission_state" AS ENUM('pending', 'submitting', 'submitted', 'failed', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."submit_status" AS ENUM('submitted', 'failed');--> statement-breakpoint
CREATE TABLE "distributor_item" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"provider_id" uuid NOT NULL,
	"sku" text NOT NULL,
	"stock" integer NOT NULL,
	"cost" numeric(14, 4) NOT NULL,
	"lead_time_days" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "line_item" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"order_id" uuid NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"cart_line_id" text NOT NULL,
	"sku" text,
	"title" text NOT NULL,
	"style" text,
	"quantity" integer NOT NULL,
	"price" numeric(14, 4) NOT NULL,
	"mockup_url" text,
	"personalization" jsonb,
	"provider_id" uuid,
	"shipment_method" text,
	"delivery_state" text DEFAULT 'pending' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "order_event" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"order_id" uuid NOT NULL,
	"actor" "actor" NOT NULL,
	"actor_name" text,
	"action" text NOT NULL,
	"from_state" "lifecycle_state",
	"to_state" "lifecycle_state",
	"message" text,
	"data" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "order" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"cart_order_id" text NOT NULL,
	"cart_order_number" text NOT NULL,
	"cart_status_raw" text NOT NULL,
	"cart_status" "cart_status" NOT NULL,
	"state" "lifecycle_state" NOT NULL,
	"type" "order_type" NOT NULL,
	"customer_name" text DEFAULT '' NOT NULL,
	"customer_email" text,
	"customer_city" text,
	"customer_province" text,
	"customer_country" text,
	"billing_address" jsonb,
	"shipping_address" jsonb,
	"currency" text NOT NULL,
	"subtotal" numeric(14, 4) DEFAULT '0' NOT NULL,
	"shipping_total" numeric(14, 4) DEFAULT '0' NOT NULL,
	"tax_total" numeric(14, 4) DEFAULT '0' NOT NULL,
	"total" numeric(14, 4) NOT NULL,
	"payment_method" text,
	"shipping_method" text,
	"item_count" integer DEFAULT 0 NOT NULL,
	"submit_status" "submit_status",
	"submit_failure_reason" text,
	"auto_submit_at" timestamp with time zone,
	"auto_submit_remaining_ms" bigint,
	"invoice_number" text,
	"note" text,
	"alert" jsonb,
	"manual_edits" jsonb,
	"cart_created_at" timestamp with time zone NOT NULL,
	"cart_updated_at" timestamp with time zone NOT NULL,
	"raw_payload" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payment_transaction" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"order_id" uuid NOT NULL,
	"kind" "payment_kind" NOT NULL,
	"amount" numeric(14, 4) NOT NULL,
	"currency" text NOT NULL,
	"status" text NOT NULL,
	"gateway" text,
	"cart_transaction_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "provider" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"kind" "provider_kind" NOT NULL,
	"name" text NOT NULL,
	"endpoint" text,
	"credentials" text,
	"signing_secret" text,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "session" (
	"id" text PRIMARY KEY NOT NULL,
	"shop" text NOT NULL,
	"state" text NOT NULL,
	"isOnline" boolean DEFAULT false NOT NULL,
	"scope" text,
	"expires" timestamp,
	"accessToken" text NOT NULL,
	"userId" bigint,
	"firstName" text,
	"lastName" text,
	"email" text,
	"accountOwner" boolean,
	"locale" text,
	"collaborator" boolean,
	"emailVerified" boolean,
	"refreshToken" text,
	"refreshTokenExpires" timestamp
);
--> statement-breakpoint
CREATE TABLE "shipment" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"order_id" uuid NOT NULL,
	"submission_id" uuid,
	"carrier" text,
	"tracking_number" text NOT NULL,
	"tracking_url" text,
	"shipped_at" timestamp with time zone NOT NULL,
	"items" jsonb NOT NULL,
	"pushed_to_cart_at" timestamp with time zone,
	"push_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shop" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"platform" "platform" NOT NULL,
	"domain" text NOT NULL,
	"name" text NOT NULL,
	"credentials" text,
	"settings" jsonb NOT NULL,
	"installed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"uninstalled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "submission" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"order_id" uuid NOT NULL,
	"provider_id" uuid NOT NULL,
	"po_number" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"state" "submission_state" DEFAULT 'pending' NOT NULL,
	"provider_order_id" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"claimed_at" timestamp with time zone,
	"submitted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_receipt" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid,
	"source" text NOT NULL,
	"shop_domain" text NOT NULL,
	"delivery_id" text NOT NULL,
	"topic" text NOT NULL,
	"payload" jsonb,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone,
	"error" text
);
--> statement-breakpoint
ALTER TABLE "distributor_item" ADD CONSTRAINT "distributor_item_shop_id_shop_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shop"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "distributor_item" ADD CONSTRAINT "distributor_item_provider_id_provider_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."provider"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "line_item" ADD CONSTRAINT "line_item_shop_id_shop_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shop"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "line_item" ADD CONSTRAINT "line_item_order_id_order_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."order"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "line_item" ADD CONSTRAINT "line_item_provider_id_provider_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."provider"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_event" ADD CONSTRAINT "order_event_shop_id_shop_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shop"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_event" ADD CONSTRAINT "order_event_order_id_order_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."order"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order" ADD CONSTRAINT "order_shop_id_shop_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shop"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_transaction" ADD CONSTRAINT "payment_transaction_shop_id_shop_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shop"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_transaction" ADD CONSTRAINT "payment_transaction_order_id_order_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."order"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provider" ADD CONSTRAINT "provider_shop_id_shop_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shop"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipment" ADD CONSTRAINT "shipment_shop_id_shop_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shop"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipment" ADD CONSTRAINT "shipment_order_id_order_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."order"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipment" ADD CONSTRAINT "shipment_submission_id_submission_id_fk" FOREIGN KEY ("submission_id") REFERENCES "public"."submission"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "submission" ADD CONSTRAINT "submission_shop_id_shop_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shop"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "submission" ADD CONSTRAINT "submission_order_id_order_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."order"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "submission" ADD CONSTRAINT "submission_provider_id_provider_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."provider"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_receipt" ADD CONSTRAINT "webhook_receipt_shop_id_shop_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shop"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "distributor_item_provider_sku_key" ON "distributor_item" USING btree ("provider_id","sku");--> statement-breakpoint
CREATE INDEX "distributor_item_shop_sku_idx" ON "distributor_item" USING btree ("shop_id","sku");--> statement-breakpoint
CREATE UNIQUE INDEX "line_item_order_cart_line_key" ON "line_item" USING btree ("order_id","cart_line_id");--> statement-breakpoint
CREATE INDEX "line_item_shop_sku_idx" ON "line_item" USING btree ("shop_id","sku");--> statement-breakpoint
CREATE INDEX "order_event_order_idx" ON "order_event" USING btree ("order_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "order_shop_cart_order_key" ON "order" USING btree ("shop_id","cart_order_id");--> statement-breakpoint
CREATE INDEX "order_catalog_idx" ON "order" USING btree ("shop_id","cart_created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "order_shop_number_idx" ON "order" USING btree ("shop_id","cart_order_number");--> statement-breakpoint
CREATE INDEX "order_shop_state_idx" ON "order" USING btree ("shop_id","state","cart_created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "order_shop_type_idx" ON "order" USING btree ("shop_id","type","cart_created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "order_shop_cart_status_idx" ON "order" USING btree ("shop_id","cart_status","cart_created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "order_shop_submit_status_idx" ON "order" USING btree ("shop_id","submit_status");--> statement-breakpoint
CREATE INDEX "order_auto_submit_idx" ON "order" USING btree ("auto_submit_at") WHERE "order"."auto_submit_at" is not null;--> statement-breakpoint
CREATE INDEX "payment_transaction_order_idx" ON "payment_transaction" USING btree ("order_id","created_at");--> statement-breakpoint
CREATE INDEX "provider_shop_idx" ON "provider" USING btree ("shop_id");--> statement-breakpoint
CREATE UNIQUE INDEX "shipment_order_tracking_key" ON "shipment" USING btree ("order_id","tracking_number");--> statement-breakpoint
CREATE UNIQUE INDEX "shop_platform_domain_key" ON "shop" USING btree ("platform","domain");--> statement-breakpoint
CREATE UNIQUE INDEX "submission_idempotency_key" ON "submission" USING btree ("idempotency_key");--> statement-breakpoint
CREATE UNIQUE INDEX "submission_order_provider_key" ON "submission" USING btree ("order_id","provider_id");--> statement-breakpoint
CREATE UNIQUE INDEX "submission_shop_po_key" ON "submission" USING btree ("shop_id","po_number");--> statement-breakpoint
CREATE INDEX "submission_state_idx" ON "submission" USING btree ("state","claimed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_receipt_delivery_key" ON "webhook_receipt" USING btree ("source","delivery_id");--> statement-breakpoint
CREATE INDEX "webhook_receipt_unprocessed_idx" ON "webhook_receipt" USING btree ("received_at") WHERE "webhook_receipt"."processed_at" is null;