-- Rate-limit counters shared by every web process (server/rate-limits.ts; decision 24). The columns
-- are the ones rate-limiter-flexible's PostgreSQL store reads and writes. UNLOGGED: a counter lost
-- in a crash only forgives a minute's requests, and the hot path writes no WAL. No index on
-- expire, so that updating it stays a HOT update; the store sweeps expired rows every 5 minutes.
CREATE UNLOGGED TABLE IF NOT EXISTS "rate_limit" (
	"key" varchar(255) PRIMARY KEY NOT NULL,
	"points" integer DEFAULT 0 NOT NULL,
	"expire" bigint
);
