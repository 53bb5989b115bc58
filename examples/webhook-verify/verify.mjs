// Verifying frontgate webhooks in Node (18+, no packages).
//
// The sidecar sends
//   Frontgate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">
// (several v1 entries while a secret is being rotated) and
//   Frontgate-Event-Id: <sha256 hex of "<reservationUuid>:<status>">, or of
//                       "<reservationUuid>:<status>#<amounts>" for new amounts in the same status
// Verify the raw body (a Buffer, before JSON.parse), answer 2xx only once the
// event is applied, and apply each event id once: deliveries are retried.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { pathToFileURL } from 'node:url';

/**
 * Checks a webhook. Returns null when it is genuine, else the reason:
 * "malformed", "invalid" (wrong MAC), "expired" (older or newer than the tolerance) or "no_key".
 *
 * @param {string} header the Frontgate-Signature header
 * @param {Buffer|string} body the raw request body, exactly as received
 * @param {string[]} secrets your webhook secret(s)
 * @param {{tolerance?: number, now?: number}} [opts] seconds of tolerance (300), Unix time
 */
export function verifyWebhook(header, body, secrets, opts = {}) {
  const tolerance = opts.tolerance ?? 300;
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  secrets = secrets.filter((s) => s);
  if (secrets.length === 0) return 'no_key';
  let t = null;
  const macs = [];
  for (const part of String(header).split(',')) {
    const i = part.trim().indexOf('=');
    if (i < 0) return 'malformed';
    const k = part.trim().slice(0, i);
    const v = part.trim().slice(i + 1);
    if (k === 't') t = v;
    else if (k === 'v1') {
      if (!/^[0-9a-fA-F]{64}$/.test(v)) return 'malformed';
      macs.push(Buffer.from(v, 'hex'));
    }
  }
  if (t === null || !/^-?\d{1,18}$/.test(t) || macs.length === 0) return 'malformed';
  let ok = false;
  for (const secret of secrets) {
    const want = createHmac('sha256', secret).update(`${t}.`).update(body).digest();
    for (const mac of macs) ok = timingSafeEqual(want, mac) || ok; // constant time, every pair
  }
  if (!ok) return 'invalid';
  if (Math.abs(now - Number(t)) > tolerance) return 'expired';
  return null;
}

// An endpoint with node:http:
//
//   http.createServer((req, res) => {
//     const chunks = [];
//     req.on('data', (c) => chunks.push(c)).on('end', () => {
//       const body = Buffer.concat(chunks);
//       if (verifyWebhook(req.headers['frontgate-signature'] ?? '', body, [process.env.FRONTGATE_WEBHOOK_SECRET]) !== null) {
//         res.writeHead(401).end(); return;
//       }
//       const event = JSON.parse(body);
//       if (!alreadyApplied(event.id)) applyToOrder(event.orderId, event.status);   // then remember event.id
//       res.writeHead(200).end();
//     });
//   }).listen(8081);

// From the command line, as the Go test runs it:
//   FRONTGATE_WEBHOOK_SECRET=… node verify.mjs '<signature header>' < body.json
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  const body = Buffer.concat(chunks);
  const now = process.env.FRONTGATE_NOW ? Number(process.env.FRONTGATE_NOW) : undefined;
  const reason = verifyWebhook(process.argv[2] ?? '', body, (process.env.FRONTGATE_WEBHOOK_SECRET ?? '').split(','), { now });
  if (reason !== null) {
    console.log(`refused: ${reason}`);
    process.exit(1);
  }
  const event = JSON.parse(body);
  console.log(`ok ${event.id} ${event.status}`);
}
