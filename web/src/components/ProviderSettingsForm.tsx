// The settings of one provider, saved in one PATCH: enabled, default arguments, each field its
// manifest declares (typed), and its secrets. Secrets are write-only: the page shows only whether
// one is set, a new value replaces it, and "Clear" removes it. An error of the API is shown beside
// the field its message names ("config.addDir …", "secrets.apiKey: …"), else beside Save.
import { useSignal } from "@preact/signals";
import type { ComponentChildren } from "preact";
import type { ProviderFieldInfo } from "../../../src/protocol/providers.ts";
import { errorMessage, type Provider } from "../api/http.ts";
import { useStores } from "../stores.ts";
import { AdminForm } from "./AdminForm.tsx";
import { parseArgs } from "./args.ts";
import { ConfirmDialog } from "./Dialog.tsx";
import { ErrorAlert } from "./ErrorAlert.tsx";
import { FormStatus } from "./FormStatus.tsx";
import { joinArgs } from "./join-args.ts";

type ConfigValue = string | number | boolean | string[];
/** Where an error shows: "default-args", a field's key prefixed "field:", or "form". */
type Errors = Record<string, string>;

const DEFAULT_ARGS = "default-args";
const fieldTarget = (key: string) => `field:${key}`;

/** Which input an error message of the API is about, from the path it starts with. */
function errorTarget(message: string, fields: readonly ProviderFieldInfo[]): string {
  const named = /^(?:config|secrets)\.([A-Za-z]\w*)/.exec(message)?.[1];
  if (named && fields.some((field) => field.key === named)) return fieldTarget(named);
  if (/^args\b/.test(message)) return DEFAULT_ARGS;
  return "form";
}

/** What an input's text means for its field: a value, null (back to the default), or an error. */
function readField(
  field: ProviderFieldInfo,
  raw: string,
): { value: ConfigValue | null } | { error: string } {
  if (raw === "") return { value: null };
  switch (field.type) {
    case "number":
      return { value: Number(raw) };
    case "boolean":
      return { value: raw === "true" };
    case "args": {
      const parsed = parseArgs(raw);
      return parsed.error === null ? { value: parsed.args } : { error: parsed.error };
    }
    default:
      return { value: raw };
  }
}

export function ProviderSettingsForm({ provider }: { provider: Provider }) {
  const { providers } = useStores();
  const errors = useSignal<Errors>({});
  const status = useSignal("");
  const clearing = useSignal<ProviderFieldInfo | null>(null);
  const secrets = provider.fields.filter((field) => field.type === "secret");
  const settings = provider.fields.filter((field) => field.type !== "secret");

  const save = async (form: HTMLFormElement) => {
    const data = new FormData(form);
    const text = (name: string) => String(data.get(name) ?? "");
    const problems: Errors = {};
    const args = parseArgs(text("defaultArgs"));
    if (args.error !== null) problems[DEFAULT_ARGS] = args.error;
    const config: Record<string, ConfigValue | null> = {};
    for (const field of settings) {
      const read = readField(field, text(`config-${field.key}`));
      if ("error" in read) problems[fieldTarget(field.key)] = read.error;
      else config[field.key] = read.value;
    }
    const newSecrets = Object.fromEntries(
      secrets
        .map((field) => [field.key, text(`secret-${field.key}`)] as const)
        .filter(([, value]) => value !== ""),
    );
    errors.value = problems;
    if (Object.keys(problems).length > 0 || args.args === null) {
      status.value = "";
      return;
    }
    status.value = "Saving…";
    try {
      await providers.update(provider.id, {
        enabled: data.has("enabled"),
        args: args.args,
        config,
        ...(Object.keys(newSecrets).length > 0 ? { secrets: newSecrets } : {}),
      });
      // Saved: nothing of a secret stays in the page.
      for (const field of secrets) {
        const input = form.elements.namedItem(`secret-${field.key}`);
        if (input instanceof HTMLInputElement) input.value = "";
      }
      status.value = "Saved.";
    } catch (e) {
      errors.value = { [errorTarget(errorMessage(e), provider.fields)]: errorMessage(e) };
      status.value = "";
    }
  };

  const clear = async (field: ProviderFieldInfo) => {
    try {
      await providers.update(provider.id, { secrets: { [field.key]: null } });
      errors.value = {};
      status.value = `${field.label} cleared.`;
    } catch (e) {
      errors.value = { [fieldTarget(field.key)]: errorMessage(e) };
    }
  };

  const errorOf = (target: string) => errors.value[target];
  return (
    <>
      <AdminForm
        label={`${provider.name} settings`}
        onSubmit={save}
        onInput={() => {
          status.value = "";
        }}
      >
        <section class="card settings-section" aria-labelledby="sessions-title">
          <h3 id="sessions-title">Sessions</h3>
          <label class="check">
            <input type="checkbox" name="enabled" defaultChecked={provider.enabled} />
            Enabled: new sessions can use {provider.name}
          </label>
          <Field
            id="default-args"
            label="Default arguments"
            help={`Every ${provider.name} session starts with these, before its own. Quotes group words; nothing is expanded.`}
            error={errorOf(DEFAULT_ARGS)}
          >
            {(described) => (
              <input
                id="default-args"
                name="defaultArgs"
                class="mono"
                defaultValue={joinArgs(provider.defaultArgs)}
                autocomplete="off"
                autocapitalize="off"
                spellcheck={false}
                {...described}
              />
            )}
          </Field>
          {settings.map((field) => (
            <Field
              key={field.key}
              id={`config-${field.key}`}
              label={field.label}
              help={field.description}
              error={errorOf(fieldTarget(field.key))}
            >
              {(described) => (
                <ConfigInput field={field} value={provider.config[field.key]} {...described} />
              )}
            </Field>
          ))}
        </section>
        {secrets.length > 0 && (
          <section class="card settings-section" aria-labelledby="secrets-title">
            <h3 id="secrets-title">API keys</h3>
            <p class="muted small">
              Kept encrypted on the server and never shown again, not even to admins. Type a new
              value to replace one.
            </p>
            {secrets.map((field) => (
              <SecretInput
                key={field.key}
                field={field}
                set={provider.secretsSet.includes(field.key)}
                error={errorOf(fieldTarget(field.key))}
                onClear={() => {
                  clearing.value = field;
                }}
              />
            ))}
          </section>
        )}
        <div class="settings-actions">
          <ErrorAlert text={errorOf("form")} />
          <FormStatus text={status.value} />
          <button type="submit" class="primary">
            Save
          </button>
        </div>
      </AdminForm>
      {clearing.value && (
        <ClearDialog
          field={clearing.value}
          provider={provider.name}
          onConfirm={clear}
          onClose={() => {
            clearing.value = null;
          }}
        />
      )}
    </>
  );
}

interface Described {
  "aria-describedby"?: string;
  "aria-invalid"?: boolean;
}

/** A labelled input with its help text and error, tied to it with aria-describedby. */
function Field(props: {
  id: string;
  label: string;
  help?: string | undefined;
  error?: string | undefined;
  children: (described: Described) => ComponentChildren;
}) {
  const { id, help, error } = props;
  const ids = [help && `${id}-help`, error && `${id}-error`].filter(Boolean).join(" ");
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.children({
        ...(ids ? { "aria-describedby": ids } : {}),
        ...(error ? { "aria-invalid": true } : {}),
      })}
      {help && (
        <p id={`${id}-help`} class="muted small">
          {help}
        </p>
      )}
      <ErrorAlert id={`${id}-error`} text={error} />
    </div>
  );
}

function ConfigInput({
  field,
  value,
  ...described
}: { field: ProviderFieldInfo; value: ConfigValue | undefined } & Described) {
  const common = { id: `config-${field.key}`, name: `config-${field.key}`, ...described };
  const fallback = field.default === undefined ? "Not set" : `Default (${String(field.default)})`;
  if (field.type === "boolean" || field.type === "select") {
    const options =
      field.type === "boolean"
        ? [
            ["true", "On"],
            ["false", "Off"],
          ]
        : (field.options ?? []).map((option) => [option, option]);
    const chosen = value === undefined ? "" : String(value);
    const fallbackLabel =
      field.type === "boolean" ? `Default (${field.default === true ? "on" : "off"})` : fallback;
    return (
      <select {...common}>
        {/* `selected`, not a controlled value: a re-render keeps what the user picked. */}
        <option value="" selected={chosen === ""}>
          {fallbackLabel}
        </option>
        {options.map(([option, label]) => (
          <option key={option} value={option} selected={chosen === option}>
            {label}
          </option>
        ))}
      </select>
    );
  }
  if (field.type === "number") {
    return (
      <input
        {...common}
        type="number"
        step="any"
        inputMode="decimal"
        defaultValue={value === undefined ? "" : String(value)}
        placeholder={field.default === undefined ? "" : String(field.default)}
      />
    );
  }
  const shown = Array.isArray(value) ? joinArgs(value) : value === undefined ? "" : String(value);
  const placeholder = Array.isArray(field.default)
    ? joinArgs(field.default as string[])
    : field.default === undefined
      ? ""
      : String(field.default);
  return (
    <input
      {...common}
      class={field.type === "args" ? "mono" : undefined}
      defaultValue={shown}
      placeholder={placeholder}
      autocomplete="off"
      autocapitalize="off"
      spellcheck={false}
    />
  );
}

function SecretInput(props: {
  field: ProviderFieldInfo;
  set: boolean;
  error: string | undefined;
  onClear: () => void;
}) {
  const { field, set, error } = props;
  const id = `secret-${field.key}`;
  return (
    <Field id={id} label={field.label} help={field.description} error={error}>
      {(described) => (
        <div class="secret-row">
          <span
            id={`${id}-state`}
            class={`pill secret-state ${set ? "pill-running" : ""}`}
            data-set={set}
          >
            {set ? "set" : "not set"}
          </span>
          <input
            id={id}
            name={id}
            type="password"
            autocomplete="off"
            autocapitalize="off"
            spellcheck={false}
            placeholder={set ? "New value replaces the stored one" : "Not set"}
            {...described}
            aria-describedby={[`${id}-state`, described["aria-describedby"]]
              .filter(Boolean)
              .join(" ")}
          />
          <button
            type="button"
            disabled={!set}
            aria-label={`Clear ${field.label}`}
            title={set ? `Remove the stored ${field.label}` : "Nothing is stored"}
            onClick={props.onClear}
          >
            Clear
          </button>
        </div>
      )}
    </Field>
  );
}

function ClearDialog(props: {
  field: ProviderFieldInfo;
  provider: string;
  onConfirm: (field: ProviderFieldInfo) => Promise<void>;
  onClose: () => void;
}) {
  return (
    <ConfirmDialog
      title={`Clear ${props.field.label}?`}
      body={`The stored value is deleted; it cannot be shown or restored. ${props.provider} sessions started from now on run without it.`}
      action="Clear"
      danger
      onConfirm={() => props.onConfirm(props.field)}
      onClose={props.onClose}
    />
  );
}
