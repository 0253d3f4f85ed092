// "My orders": the signed-in customer's orders (GET /orders), newest first; one still
// received can be cancelled.
const site = require('../../data/site.js');
const cart = require('../../utils/cart.js');
const mine = require('../../utils/mine.js');

const pad = (n) => String(n).padStart(2, '0');

// When it was placed, in the phone's own time.
function when(iso) {
  const d = new Date(iso);
  if (isNaN(d.getTime())) return '';
  return pad(d.getMonth() + 1) + '/' + pad(d.getDate()) + ' ' + pad(d.getHours()) + ':' + pad(d.getMinutes());
}

function view(o) {
  return Object.assign({}, o, {
    status_text: site.labels['status_' + o.status] || o.status,
    total_text: cart.yuan(o.total),
    summary: o.lines.map((l) => l.name + (l.variant ? ' (' + l.variant + ')' : '') + ' × ' + l.quantity).join(', '),
    when: when(o.created_at),
  });
}

Page(mine.listPage({ path: '/orders', key: 'orders', title: site.labels.my_orders, view }));
