// The cart and checkout: contact details (remembered), pickup or delivery when the shop
// delivers, a note, then POST /orders with an id kept until it succeeds (a retry after a lost
// answer finds the same order, never a second one).
const site = require('../../data/site.js');
const cart = require('../../utils/cart.js');
const api = require('../../utils/api.js');

const CONTACT = 'mpforge_contact';
const PENDING = 'mpforge_pending_order';

// The same order asked again keeps its id; a changed one gets a new id.
function orderId(order) {
  const sig = JSON.stringify(order);
  const pending = wx.getStorageSync(PENDING);
  if (pending && pending.sig === sig) return pending.id;
  const id = api.newId();
  wx.setStorageSync(PENDING, { id, sig });
  return id;
}

Page({
  data: {
    lines: [], count: 0, total_text: '¥0.00', labels: site.labels, submitting: false, vars: site.vars || '',
    customer_name: '', phone: '', address: '', note: '', mode: 'pickup', delivery: false, orders_url: site.routes.orders || '',
  },
  onLoad() {
    const c = wx.getStorageSync(CONTACT) || {};
    this.setData({ customer_name: c.name || '', phone: c.phone || '', address: c.address || '' });
    api.shopConfig().then((config) => {
      this.config = config;
      this.setData({ delivery: !!config.delivery });
    });
  },
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
  onName(e) {
    this.setData({ customer_name: e.detail.value });
  },
  onPhone(e) {
    this.setData({ phone: e.detail.value });
  },
  onAddress(e) {
    this.setData({ address: e.detail.value });
  },
  onNote(e) {
    this.setData({ note: e.detail.value });
  },
  onMode(e) {
    this.setData({ mode: e.currentTarget.dataset.mode });
  },
  onOrders() {
    wx.navigateTo({ url: site.routes.orders });
  },
  onCheckout() {
    if (!this.data.lines.length || this.data.submitting) return undefined;
    const { customer_name: name, phone, mode, address, note } = this.data;
    if (!name.trim()) return api.toast(new Error(site.labels.name_required));
    if (!/^[0-9+\- ]{5,20}$/.test(phone)) return api.toast(new Error(site.labels.phone_invalid));
    if (mode === 'delivery' && !address.trim()) return api.toast(new Error(site.labels.address_required));
    const lines = cart.load();
    const order = {
      lines: lines.map((l) => ({ product: l.product, variant: l.variant, quantity: l.quantity, unit_price: l.price })),
      total: cart.totals(lines).fen,
      name: name.trim(),
      phone,
      mode,
      note: note.trim(),
    };
    if (mode === 'delivery') order.address = address.trim();
    const id = orderId(order);
    const template = this.config && this.config.templates && this.config.templates.order;
    this.setData({ submitting: true });
    return api
      .subscribe(template)
      .then(() => api.signIn().catch(() => ''))
      .then(() => api.request('POST', '/orders', Object.assign({ client_order_id: id }, order)))
      .then((res) => {
        wx.setStorageSync(PENDING, null);
        wx.setStorageSync(CONTACT, { name: order.name, phone, address: address.trim() });
        cart.clear();
        this.show([]);
        this.setData({ note: '' });
        wx.showModal({ title: site.labels.order_placed, content: res && res.order_id ? String(res.order_id) : '', showCancel: false });
      })
      .catch((err) => {
        if (err.code === 'price_changed' && err.detail) {
          this.show(cart.reprice(err.detail.lines));
          api.toast(new Error(err.message || site.labels.prices_updated));
          return;
        }
        api.toast(err);
      })
      .then(() => this.setData({ submitting: false }));
  },
});
