ALTER TABLE "sessions" ADD COLUMN "worktree_path" text;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "worktree_branch" text;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "worktree_base" text;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "worktree_repository" text;