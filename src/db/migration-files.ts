// The migration files, imported as files so that a compiled binary embeds them at their
// relative paths (build.ts keeps folders in asset names). After `npm run db:generate`, add the
// new SQL file here; migration-files.test.ts fails until drizzle/ and this list agree.

import m0000 from "../../drizzle/0000_init.sql" with { type: "file" };
import m0001 from "../../drizzle/0001_users.sql" with { type: "file" };
import m0002 from "../../drizzle/0002_provider_settings.sql" with { type: "file" };
import m0003 from "../../drizzle/0003_session_conversation.sql" with { type: "file" };
import m0004 from "../../drizzle/0004_session_bypass.sql" with { type: "file" };
import m0005 from "../../drizzle/0005_revoked_tokens.sql" with { type: "file" };
import m0006 from "../../drizzle/0006_push.sql" with { type: "file" };
import m0007 from "../../drizzle/0007_session_worktree.sql" with { type: "file" };
import m0008 from "../../drizzle/0008_share_links.sql" with { type: "file" };
import m0009 from "../../drizzle/0009_output_search.sql" with { type: "file" };
import journal from "../../drizzle/meta/_journal.json" with { type: "file" };

/** Path of drizzle/meta/_journal.json (on disk, or inside the binary). */
// bun-types types a .json import as its contents; `with { type: "file" }` makes it a path.
export const JOURNAL_PATH = journal as unknown as string;
/** Paths of the SQL files, in order. */
export const MIGRATION_PATHS: readonly string[] = [
  m0000,
  m0001,
  m0002,
  m0003,
  m0004,
  m0005,
  m0006,
  m0007,
  m0008,
  m0009,
];
