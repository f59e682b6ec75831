// Body of PATCH /providers/:id (DESIGN §4): the schema the server validates it with (zod/mini)
// and the type the settings page sends, inferred from it.

import * as z from "zod/mini";

const configValue = z.union([
  z.string().check(z.maxLength(8192)),
  z.number(),
  z.boolean(),
  z.array(z.string().check(z.maxLength(8192))).check(z.maxLength(256)),
  z.null(),
]);

/**
 * Only what changes; unknown keys are refused. A config value of null returns the field to its
 * default; secrets are write-only: a value sets one, null removes it.
 */
export const providerSettingsPatchSchema = z.strictObject({
  enabled: z.optional(z.boolean()),
  args: z.optional(z.array(z.string().check(z.maxLength(8192))).check(z.maxLength(256))),
  config: z.optional(z.record(z.string().check(z.maxLength(64)), configValue)),
  secrets: z.optional(
    z.record(
      z.string().check(z.maxLength(64)),
      z.nullable(z.string().check(z.minLength(1), z.maxLength(16_384))),
    ),
  ),
});
export type ProviderSettingsPatch = z.infer<typeof providerSettingsPatchSchema>;
