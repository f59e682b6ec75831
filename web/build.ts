// Builds the browser UI in memory with Bun's bundler: the app (hashed names, immutable), the
// service worker (/sw.js, stable name, told which files form the app shell), index.html from its
// template, and the static files of web/public. Used by the dev server on first request and by
// build.ts, which embeds the result in the executable.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const WEB = import.meta.dir;

/** One file the server serves at `path`. Hashed files may be cached forever. */
export interface WebAsset {
  path: string;
  type: string;
  body: Uint8Array<ArrayBuffer>;
  immutable: boolean;
}

const TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  html: "text/html; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  webmanifest: "application/manifest+json",
  map: "application/json",
};

const typeOf = (path: string) =>
  TYPES[path.slice(path.lastIndexOf(".") + 1)] ?? "application/octet-stream";

async function bundle(config: Bun.BuildConfig): Promise<Bun.BuildArtifact[]> {
  const result = await Bun.build(config);
  if (!result.success) {
    throw new AggregateError(result.logs, `web build failed: ${result.logs.join("\n")}`);
  }
  return result.outputs;
}

/** Build every file of the UI; `minify` defaults to true. */
export async function buildWeb({ minify = true }: { minify?: boolean } = {}): Promise<WebAsset[]> {
  const app = await bundle({
    entrypoints: [join(WEB, "src/main.tsx")],
    target: "browser",
    minify,
    // The WebGL renderer (a fifth of the code) and search are chunks of their own, loaded later.
    splitting: true,
    naming: {
      entry: "[name]-[hash].[ext]",
      chunk: "[name]-[hash].[ext]",
      asset: "[name]-[hash].[ext]",
    },
    publicPath: "/assets/",
  });
  const assets: WebAsset[] = [];
  let script: string | undefined;
  for (const output of app) {
    const name = output.path.replace(/^\.\//, "");
    if (output.kind === "entry-point") script = `/assets/${name}`;
    assets.push({
      path: `/assets/${name}`,
      type: typeOf(name),
      body: new Uint8Array(await output.arrayBuffer()),
      immutable: true,
    });
  }
  const style = assets.find((a) => a.path.endsWith(".css"))?.path;
  if (!script || !style) throw new Error("web build produced no script or stylesheet");

  const html = readFileSync(join(WEB, "index.html"), "utf8")
    .replace("%SCRIPT%", script)
    .replace("%STYLE%", style);
  assets.push({
    path: "/index.html",
    type: typeOf("x.html"),
    body: new TextEncoder().encode(html),
    immutable: false,
  });

  for (const name of readdirSync(join(WEB, "public"))) {
    assets.push({
      path: `/${name}`,
      type: typeOf(name),
      body: new Uint8Array(readFileSync(join(WEB, "public", name))),
      immutable: false,
    });
  }

  // The service worker caches exactly the shell; its version changes whenever the shell does.
  const shell = ["/", ...assets.filter((a) => a.path !== "/index.html").map((a) => a.path)];
  const version = Bun.hash(shell.join("\n")).toString(36);
  const [worker] = await bundle({
    entrypoints: [join(WEB, "src/sw.ts")],
    target: "browser",
    minify,
    define: {
      OPENDRAY_SHELL: JSON.stringify(shell),
      OPENDRAY_SHELL_VERSION: JSON.stringify(version),
    },
  });
  if (!worker) throw new Error("web build produced no service worker");
  assets.push({
    path: "/sw.js",
    type: typeOf("sw.js"),
    body: new Uint8Array(await worker.arrayBuffer()),
    immutable: false,
  });
  return assets;
}

/**
 * A bundler plugin for the executable: it builds the UI once and replaces
 * src/http/web-bundle.ts with a module that holds the files (base64), so the binary serves
 * them without sources or node_modules.
 */
export async function embedWebPlugin(): Promise<Bun.BunPlugin> {
  const assets = await buildWeb();
  const files = assets.map((asset) => ({
    path: asset.path,
    type: asset.type,
    immutable: asset.immutable,
    body: Buffer.from(asset.body).toString("base64"),
  }));
  const contents = `const files = ${JSON.stringify(files)};
export async function loadWebBundle() {
  return files.map((file) => ({ ...file, body: new Uint8Array(Buffer.from(file.body, "base64")) }));
}
`;
  return {
    name: "opendray-embed-web",
    setup(build) {
      build.onLoad({ filter: /[\\/]src[\\/]http[\\/]web-bundle\.ts$/ }, () => ({
        contents,
        loader: "js",
      }));
    },
  };
}
