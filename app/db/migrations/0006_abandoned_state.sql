-- Abandoned: an Open order with nothing shipped long after it was sent (decision 32). Placed before
-- Closed so the enum's order follows the lifecycle. PostgreSQL adds an enum value inside the
-- migration's transaction, but refuses to USE it before that transaction commits: a later migration
-- applied in the same run must not write 'abandoned'.
ALTER TYPE "public"."lifecycle_state" ADD VALUE 'abandoned' BEFORE 'closed';
