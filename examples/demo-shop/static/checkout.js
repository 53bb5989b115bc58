// checkout.js: validate the checkout form as the shopper types, with the
// same frontgate.wasm the sidecar runs. The order is built exactly as the
// shop's server builds it (orderJSON in storefront.go) and handed to
// build_create; every field error carries a JSON path
// (order.customer.email) that names an input through its data-path.
// Without JavaScript or WebAssembly the form still works: the server
// validates and shows the same messages.
import { loadFrontgate } from './frontgate-browser.js';

const form = document.getElementById('checkout-form');
const status = document.getElementById('wasm-status');
const summary = document.getElementById('form-errors');
const lines = JSON.parse(form.dataset.lines);
const touched = new Set();
let submitted = false;

const value = (name) => (form.elements[name]?.value ?? '').trim();
const nospace = (name) => (form.elements[name]?.value ?? '').replace(/\s+/g, '');

// orderFromForm mirrors customerFromForm and orderJSON on the server.
function orderFromForm() {
  const corporate = form.querySelector('input[name="type"]:checked')?.value === 'corporate';
  const customer = {
    type: corporate ? 'corporate' : 'private',
    name: value('name'),
    email: value('email'),
    countryCode: nospace('countryCode'),
    msisdn: nospace('msisdn'),
    address: { street: value('street'), zip: nospace('zip'), city: value('city'), country: value('country').toUpperCase() },
  };
  if (corporate) customer.organizationId = nospace('organizationId');
  return { customer, lines };
}

function inputFor(path) {
  return form.querySelector(`[data-path="${CSS.escape(path)}"]`);
}

// show puts each error next to its input; errors of untouched inputs wait
// until the shopper has typed there or tried to pay.
function show(fields) {
  const byName = new Map();
  const other = [];
  for (const f of fields) {
    const input = inputFor(f.path);
    if (!input) { other.push(`${f.path}: ${f.message}`); continue; }
    if (!byName.has(input.name)) byName.set(input.name, f.message);
  }
  for (const input of form.querySelectorAll('input[data-path]')) {
    const out = document.getElementById(`${input.name}-error`);
    if (!out) continue;
    const message = (submitted || touched.has(input.name)) ? (byName.get(input.name) ?? '') : '';
    out.textContent = message;
    input.closest('.field')?.classList.toggle('invalid', message !== '');
    if (message) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
  }
  summary.replaceChildren(...(submitted ? other : []).map((t) => Object.assign(document.createElement('p'), { textContent: t })));
  summary.hidden = summary.childElementCount === 0;
  return byName;
}

function toggleCorporate() {
  form.classList.add('js');
  const corporate = form.querySelector('input[name="type"]:checked')?.value === 'corporate';
  form.classList.toggle('is-corporate', corporate);
}

const testCustomers = {
  private: { type: 'private', name: 'Kari Nordmann', email: 'kari@example.no', countryCode: '+47', msisdn: '46567468',
    street: 'Karl Johans gate 1', zip: '0154', city: 'Oslo', country: 'NO', organizationId: '' },
  corporate: { type: 'corporate', name: 'Fjordtech AS', email: 'innkjop@fjordtech.example', countryCode: '+47', msisdn: '22334455',
    street: 'Bryggen 7', zip: '5003', city: 'Bergen', country: 'NO', organizationId: '912345678' },
};

let fg;
try {
  fg = await loadFrontgate('/static/frontgate.wasm');
} catch (e) {
  console.warn('frontgate.wasm could not be loaded; the server will validate', e);
  status.textContent = 'Your details are checked by the shop when you pay.';
  document.documentElement.dataset.wasm = 'failed';
}

function validate() {
  if (!fg) return new Map();
  let r;
  try {
    r = fg.callJSON('build_create', { now: Math.floor(Date.now() / 1000), order: orderFromForm() });
  } catch (e) { // the module failed (it is being replaced): the server checks this submission
    console.warn('frontgate.wasm failed; the server will validate', e);
    status.textContent = 'Your details are checked by the shop when you pay.';
    status.classList.remove('live');
    return show([]); // clears what it showed before, so nothing holds the form back
  }
  return show(r.ok ? [] : (r.error.fields ?? []));
}

toggleCorporate();
form.addEventListener('change', (e) => { if (e.target.name === 'type') toggleCorporate(); });
for (const b of form.querySelectorAll('[data-fill]')) {
  b.addEventListener('click', () => {
    const c = testCustomers[b.dataset.fill];
    for (const [k, v] of Object.entries(c)) {
      if (k === 'type') form.querySelector(`input[name="type"][value="${v}"]`).checked = true;
      else { form.elements[k].value = v; touched.add(k); }
    }
    toggleCorporate();
    validate();
  });
}

if (fg) {
  status.textContent = `Checked as you type by frontgate.wasm (ABI ${fg.version}) running in your browser: the same rules the payment service applies.`;
  status.classList.add('live');
  let timer = 0;
  form.addEventListener('input', (e) => {
    if (e.target.name) touched.add(e.target.name);
    clearTimeout(timer);
    timer = setTimeout(validate, 120);
  });
  form.addEventListener('focusout', (e) => {
    if (e.target.name && e.target.value !== '') { touched.add(e.target.name); validate(); }
  });
  form.addEventListener('submit', (e) => {
    submitted = true;
    const errors = validate();
    if (errors.size > 0 || !summary.hidden) {
      e.preventDefault();
      const first = form.querySelector('[aria-invalid="true"]');
      first?.focus();
    }
  });
  // Errors the server rendered stay until the shopper edits the field.
  for (const input of form.querySelectorAll('input[aria-invalid="true"]')) touched.add(input.name);
  document.documentElement.dataset.wasm = 'ready';
}
