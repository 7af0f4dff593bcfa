// Verifies recorded webhooks with the npm package standardwebhooks (pinned
// in tests/browser/package.json; `npm ci` there installs it), a verifier we
// did not write. Input: a JSON file {"secret": "whsec_...", "requests":
// [{"headers": {...}, "body_base64": "..."}]}. Output on stdout: a JSON list,
// one {"ok": true} or {"ok": false, "error": "..."} per request, in order.
//
//   node tests/paging/verify_webhooks.mjs requests.json
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(
  new URL("../browser/package.json", import.meta.url));
const { Webhook } = require("standardwebhooks");

const input = JSON.parse(readFileSync(process.argv[2], "utf8"));
const results = input.requests.map(({ headers, body_base64 }) => {
  try {
    // A Buffer: the bytes as received, not a string re-encoded.
    new Webhook(input.secret).verify(Buffer.from(body_base64, "base64"),
      headers);
    return { ok: true };
  } catch (e) {
    return { ok: false, error: String(e && e.message ? e.message : e) };
  }
});
process.stdout.write(JSON.stringify(results) + "\n");
