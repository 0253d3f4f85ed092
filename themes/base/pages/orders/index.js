// "My orders": the signed-in customer's orders (GET /orders), newest first; one still
// received can be cancelled.
const site = require('../../data/site.js');
const cart = require('../../utils/cart.js');
const api = require('../../utils/api.js');

function view(o) {
  return Object.assign({}, o, {
    status_text: site.labels['status_' + o.status] || o.status,
    total_text: cart.yuan(o.total),
    summary: o.lines.map((l) => l.name + (l.variant ? ' (' + l.variant + ')' : '') + ' × ' + l.quantity).join(', '),
    when: (o.created_at || '').slice(0, 16).replace('T', ' '),
  });
}

Page({
  data: { orders: [], loading: true, failed: '', labels: site.labels, vars: site.vars || '' },
  onLoad() {
    wx.setNavigationBarTitle({ title: site.labels.my_orders });
  },
  onShow() {
    return this.load();
  },
  load() {
    this.setData({ loading: true, failed: '' });
    return api
      .signIn()
      .then(() => api.request('GET', '/orders'))
      .then((res) => this.setData({ orders: (res.orders || []).map(view) }))
      .catch((err) => this.setData({ failed: err.message }))
      .then(() => this.setData({ loading: false }));
  },
  onCancel(e) {
    const id = e.currentTarget.dataset.id;
    wx.showModal({
      title: site.labels.cancel_confirm,
      success: (r) => {
        if (!r.confirm) return;
        api
          .request('POST', '/orders/' + encodeURIComponent(id) + '/cancel', {})
          .then(() => {
            wx.showToast({ title: site.labels.cancelled_done, icon: 'none' });
            return this.load();
          })
          .catch(api.toast);
      },
    });
  },
});
