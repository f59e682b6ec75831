CREATE TABLE "session_output_text" (
	"session_id" text NOT NULL,
	"seq" integer NOT NULL,
	"start_offset" bigint NOT NULL,
	"end_offset" bigint NOT NULL,
	"first_line" integer NOT NULL,
	"text" text NOT NULL,
	"words" "tsvector" GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, "text")) STORED NOT NULL,
	CONSTRAINT "session_output_text_session_id_seq_pk" PRIMARY KEY("session_id","seq")
);
--> statement-breakpoint
ALTER TABLE "session_output_text" ADD CONSTRAINT "session_output_text_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "session_output_text_words_idx" ON "session_output_text" USING gin ("words");