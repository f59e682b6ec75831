// The browser UI. Until the UI lands this is one static page (web/index.html, embedded).
import { Hono } from "hono";
import placeholder from "../../../web/index.html" with { type: "text" };

// bun-types declares every .html import as an HTML bundle; with type "text" it is the file's text.
const page = placeholder as unknown as string;

export function webRoutes() {
  return new Hono().get("/", (c) => c.html(page));
}
