// Security headers on every response (DESIGN §8), errors and static assets included: a strict
// CSP without inline script, no framing, no sniffing, no referrer.
import { secureHeaders } from "hono/secure-headers";

export function securityHeaders() {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", "data:"],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      manifestSrc: ["'self'"],
      workerSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    xFrameOptions: "DENY",
    xContentTypeOptions: "nosniff",
    referrerPolicy: "no-referrer",
    // HSTS belongs to the TLS-terminating proxy, which knows whether the site is served over https.
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
    // A route may send a stricter policy of its own: served files get a sandbox (routes/files.ts).
    overwrite: false,
  });
}
