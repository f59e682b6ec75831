// The browser UI. Until the UI lands this is one static page that says what the server is.
import { Hono } from "hono";

const PLACEHOLDER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>OpenDray</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>OpenDray</h1><p>The server is running. The web interface is not built yet;
the API lives under <code>/api/v1</code>.</p></body></html>`;

export function webRoutes() {
  return new Hono().get("/", (c) => c.html(PLACEHOLDER));
}
