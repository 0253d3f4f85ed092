const site = require('../../data/site.js');
const cart = require('../../utils/cart.js');
const api = require('../../utils/api.js');

Page({
  data: { lines: [], count: 0, total_text: '¥0.00', labels: site.labels, submitting: false, vars: site.vars || '' },
  onShow() {
    this.show(cart.load());
  },
  show(lines) {
    const t = cart.totals(lines);
    this.setData({
      lines: lines.map((l) => Object.assign({}, l, { line_text: cart.yuan(l.price * l.quantity) })),
      count: t.count,
      total_text: cart.yuan(t.fen),
    });
  },
  onStep(e) {
    const { key, step } = e.currentTarget.dataset;
    const line = this.data.lines.find((l) => l.key === key);
    this.show(cart.setQuantity(key, line.quantity + Number(step)));
  },
  onCheckout() {
    if (!this.data.lines.length || this.data.submitting) return;
    this.setData({ submitting: true });
    const lines = cart.load();
    api
      .request('POST', '/orders', {
        lines: lines.map((l) => ({ product: l.product, variant: l.variant, quantity: l.quantity, unit_price: l.price })),
        total: cart.totals(lines).fen,
      })
      .then((res) => {
        cart.clear();
        this.show([]);
        wx.showModal({ title: site.labels.order_placed, content: res && res.order_id ? String(res.order_id) : '', showCancel: false });
      })
      .catch(api.toast)
      .then(() => this.setData({ submitting: false }));
  },
});
