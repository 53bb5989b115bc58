// status.js: the shopper's return page shows the order's reservation
// status; while the payment awaits confirmation it polls the shop and
// reloads when the status changes.
const badge = document.getElementById('order-status');
const result = document.getElementById('result');
if (badge && result?.dataset.result === 'waiting') {
  const id = badge.dataset.order;
  const poll = async () => {
    try {
      const resp = await fetch(`/order/${encodeURIComponent(id)}/status`, { cache: 'no-store', credentials: 'same-origin' });
      if (resp.ok) {
        const o = await resp.json();
        if (String(o.version) !== badge.dataset.version) { location.reload(); return; }
      }
    } catch { /* try again */ }
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 1000);
}
