// Types of the part of http_ece (the RFC 8188/8291 reference implementation) the push-service
// stand-in uses.
declare module "http_ece" {
  import type { ECDH } from "node:crypto";

  interface Params {
    version: "aes128gcm";
    privateKey?: ECDH;
    authSecret?: string;
  }
  const ece: { decrypt(buffer: Buffer, params: Params): Buffer };
  export default ece;
}
