CREATE TABLE "audit_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text,
	"client_ip" text,
	"action" text NOT NULL,
	"target" text,
	"outcome" text NOT NULL,
	"detail" jsonb,
	CONSTRAINT "audit_log_outcome_check" CHECK ("audit_log"."outcome" in ('ok', 'denied', 'error'))
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"provider" text NOT NULL,
	"cwd" text NOT NULL,
	"args" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"state" text NOT NULL,
	"pid" integer,
	"exit_code" integer,
	"exit_signal" text,
	"cols" integer NOT NULL,
	"rows" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"last_output_at" timestamp with time zone,
	"output_offset" bigint DEFAULT 0 NOT NULL,
	"scrollback_start" bigint DEFAULT 0 NOT NULL,
	"parent_session_id" text,
	"created_by" text,
	"end_reason" text,
	CONSTRAINT "sessions_state_check" CHECK ("sessions"."state" in ('starting', 'running', 'idle', 'stopped', 'ended', 'failed', 'interrupted'))
);
--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "sessions_created_at_idx" ON "sessions" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "sessions_state_idx" ON "sessions" USING btree ("state");