// validate-order.mjs: build a FrontGo create-reservation payload from a shop
// order; print the payload's totals, or the fields that are wrong.
//   node examples/node/validate-order.mjs [frontgate.wasm]
import { fileURLToPath } from 'node:url';
import { loadFrontgate } from './frontgate.mjs';

const wasm = process.argv[2] ?? fileURLToPath(new URL('../../build/out/frontgate.wasm', import.meta.url));
const fg = await loadFrontgate(wasm);
const order = {
  customer: { type: 'private', name: 'Kari Nordmann', email: 'kari@example.no', countryCode: '+47', msisdn: '46567468',
    address: { street: 'Karl Johans gate 1', zip: '0154', city: 'Oslo', country: 'NO' } },
  reference: 'WC-1001', callbackUrl: 'https://shop.example/cb', successUrl: 'https://shop.example/ok', failureUrl: 'https://shop.example/no',
  lines: [{ name: 'Ullsokker', sku: 'SOK-1', unitPrice: 14900, quantity: 2, taxRate: 25 }],
};
for (const email of ['kari@example.no', 'kari@']) {
  order.customer.email = email;
  const r = fg.callJSON('build_create', { now: 1724294524, order });
  if (r.ok) console.log(`${email}: ok, ${r.data.method} ${r.data.path}, grandTotal ${r.data.body.orderSummary.grandTotal.toFixed(2)}`);
  else console.log(`${email}: ${r.error.code}: ${r.error.fields.map((f) => `${f.path} (${f.rule})`).join(', ')}`);
}
