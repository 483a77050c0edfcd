CREATE TABLE "order_note" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"order_id" uuid NOT NULL,
	"actor" "actor" NOT NULL,
	"author_name" text,
	"text" text NOT NULL,
	"visible_to_customer" boolean DEFAULT false NOT NULL,
	"cart_note_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "order_status" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"key" text NOT NULL,
	"label" text NOT NULL,
	"position" integer NOT NULL,
	"retired" boolean DEFAULT false NOT NULL,
	"cart_effect" text NOT NULL,
	"cart_status" text,
	"pauses_countdown" boolean DEFAULT false NOT NULL,
	"builtin" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "order" ADD COLUMN "order_status_key" text DEFAULT 'new' NOT NULL;--> statement-breakpoint
ALTER TABLE "order_note" ADD CONSTRAINT "order_note_shop_id_shop_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shop"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_note" ADD CONSTRAINT "order_note_order_id_order_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."order"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_status" ADD CONSTRAINT "order_status_shop_id_shop_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shop"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "order_note_order_idx" ON "order_note" USING btree ("shop_id","order_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "order_status_shop_key" ON "order_status" USING btree ("shop_id","key");--> statement-breakpoint
CREATE INDEX "order_shop_order_status_idx" ON "order" USING btree ("shop_id","order_status_key","cart_created_at" DESC NULLS LAST);--> statement-breakpoint
-- Invoice numbers become unique in a shop: a number several orders share stays on the oldest of
-- them, and each of the others says on its timeline why it lost it.
INSERT INTO "order_event" ("shop_id", "order_id", "actor", "action", "message")
SELECT o."shop_id", o."id", 'system', 'invoice_cleared',
  'Invoice number ' || o."invoice_number" || ' was taken off this order because order ' || p."cart_order_number" || ' has it too, and invoice numbers are now unique in a shop'
FROM "order" o
JOIN LATERAL (
  SELECT f."cart_order_number" FROM "order" f
  WHERE f."shop_id" = o."shop_id" AND f."invoice_number" = o."invoice_number"
    AND (f."created_at", f."id") < (o."created_at", o."id")
  ORDER BY f."created_at", f."id" LIMIT 1
) p ON true
WHERE o."invoice_number" IS NOT NULL;--> statement-breakpoint
UPDATE "order" o SET "invoice_number" = NULL
WHERE o."invoice_number" IS NOT NULL AND EXISTS (
  SELECT 1 FROM "order" f
  WHERE f."shop_id" = o."shop_id" AND f."invoice_number" = o."invoice_number"
    AND (f."created_at", f."id") < (o."created_at", o."id")
);--> statement-breakpoint
CREATE UNIQUE INDEX "order_shop_invoice_key" ON "order" USING btree ("shop_id","invoice_number") WHERE "order"."invoice_number" is not null;--> statement-breakpoint
-- Every shop gets the default statuses (shops created later get them when first read).
INSERT INTO "order_status" ("shop_id", "key", "label", "position", "cart_effect", "pauses_countdown", "builtin")
SELECT s."id", d."key", d."label", d."position", d."effect", d."pauses", true
FROM "shop" s CROSS JOIN (VALUES
  ('new', 'New', 0, 'release', false),
  ('processing', 'Processing', 1, 'release', false),
  ('completed', 'Completed', 2, 'complete', false),
  ('cancelled', 'Cancelled', 3, 'cancel', false),
  ('fraud', 'Fraud', 4, 'hold_fraud', true),
  ('suspended', 'Suspended', 5, 'hold_other', true)
) AS d("key", "label", "position", "effect", "pauses");--> statement-breakpoint
-- Statuses replace the labels owners gave lifecycle states (decision 0046). A label on New renames
-- the New status; any other label becomes a status of its own that writes nothing to the cart
-- (pausing the countdown when it labelled On hold), given to the orders in that state now, so
-- every order still shows the owner's word it showed before.
UPDATE "order_status" st SET "label" = s."settings"->'stateLabels'->>'new'
FROM "shop" s
WHERE st."shop_id" = s."id" AND st."key" = 'new'
  AND coalesce(s."settings"->'stateLabels'->>'new', '') <> '';--> statement-breakpoint
INSERT INTO "order_status" ("shop_id", "key", "label", "position", "cart_effect", "pauses_countdown", "builtin")
SELECT s."id", 'was_' || l."key", l."value",
  5 + array_position(ARRAY['pending', 'on_hold', 'open', 'abandoned', 'closed', 'error', 'archived'], l."key"),
  'none', l."key" = 'on_hold', false
FROM "shop" s CROSS JOIN LATERAL jsonb_each_text(coalesce(s."settings"->'stateLabels', '{}'::jsonb)) l
WHERE l."key" <> 'new' AND l."value" <> ''
  AND l."key" IN ('pending', 'on_hold', 'open', 'abandoned', 'closed', 'error', 'archived');--> statement-breakpoint
UPDATE "order" o SET "order_status_key" = st."key"
FROM "order_status" st
WHERE st."shop_id" = o."shop_id" AND st."builtin" = false AND st."key" = 'was_' || o."state"::text;--> statement-breakpoint
UPDATE "shop" SET "settings" = "settings" - 'stateLabels' WHERE "settings" ? 'stateLabels';
