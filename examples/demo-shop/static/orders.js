// orders.js: keep the back office's statuses live. Every second it reads
// /admin/orders/status (each order's reservation status and version, as
// the shop learned them from the sidecar) and updates the badges. When an
// order changed in other ways too, the page reloads itself, unless the
// merchant is typing in a form; then a notice offers the reload.
const POLL_MS = 1000;
const orders = new Map();
for (const el of document.querySelectorAll('article.order')) orders.set(el.dataset.order, el);

function editing() {
  const a = document.activeElement;
  if (a && a.matches('input, select, textarea') && a.type !== 'submit') return true;
  for (const input of document.querySelectorAll('article.order input:not([type=hidden])')) {
    if (input.value !== input.defaultValue) return true;
  }
  return false;
}

async function poll() {
  try {
    const resp = await fetch('/admin/orders/status', { cache: 'no-store', credentials: 'same-origin' });
    if (!resp.ok) return;
    const { orders: list } = await resp.json();
    let changed = list.length !== orders.size;
    for (const o of list) {
      const el = orders.get(o.id);
      if (!el) { changed = true; continue; }
      const badge = el.querySelector('[data-status]');
      if (badge.textContent !== o.status) {
        badge.textContent = o.status;
        badge.className = 'status st-' + o.status.toLowerCase().replaceAll(' ', '-');
      }
      if (String(o.version) !== el.dataset.version) changed = true;
    }
    if (changed) {
      if (editing()) document.getElementById('stale').hidden = false;
      else location.reload();
    }
  } catch {
    // the shop is restarting; try again on the next tick
  } finally {
    setTimeout(poll, POLL_MS);
  }
}
setTimeout(poll, POLL_MS);

// A form is sent once: its buttons are disabled as it goes (after the
// submit, so the clicked button's name and value still go with it). The
// sidecar would answer a second one from its record anyway.
for (const form of document.querySelectorAll('article.order form')) {
  form.addEventListener('submit', () => {
    setTimeout(() => { for (const b of form.querySelectorAll('button')) b.disabled = true; }, 0);
  });
}
