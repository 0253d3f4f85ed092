const site = require('../../data/site.js');
const cart = require('../../utils/cart.js');

function variantFor(product, chosen) {
  if (!product.options.length) return null;
  return product.variants.find((v) => v.values.every((val, i) => val === chosen[i])) || null;
}

Page({
  data: { product: null, chosen: [], price_text: '', stock_text: '', can_add: false, quantity: 1, labels: site.labels, vars: site.vars || '' },
  onLoad(query) {
    const product = site.products[query.id];
    if (!product) {
      wx.showToast({ title: site.labels.not_found, icon: 'none' });
      return;
    }
    wx.setNavigationBarTitle({ title: product.name });
    const chosen = product.options.map((o) => o.values[0]);
    this.setData({ product, chosen });
    this.refresh();
  },
  refresh() {
    const { product, chosen } = this.data;
    const v = variantFor(product, chosen);
    const unavailable = product.options.length > 0 && !v;
    const price = v ? v.price : product.price;
    const stock = v ? v.stock : product.stock;
    this.setData({
      price_text: cart.yuan(price),
      stock_text: unavailable ? site.labels.unavailable : stock === 0 ? site.labels.sold_out : '',
      can_add: !unavailable && stock !== 0,
    });
  },
  onChoose(e) {
    const { option, value } = e.currentTarget.dataset;
    const chosen = this.data.chosen.slice();
    chosen[option] = value;
    this.setData({ chosen });
    this.refresh();
  },
  onQuantity(e) {
    const quantity = Math.max(1, this.data.quantity + Number(e.currentTarget.dataset.step));
    this.setData({ quantity });
  },
  onAdd() {
    if (!this.data.can_add) return;
    const { product, chosen, quantity } = this.data;
    const v = variantFor(product, chosen);
    cart.add({
      key: product.id + '|' + chosen.join('|'),
      product: product.id,
      name: product.name,
      variant: chosen.join(' / '),
      price: v ? v.price : product.price,
      quantity,
    });
    wx.showToast({ title: site.labels.added, icon: 'success' });
  },
  onCart() {
    wx.navigateTo({ url: site.routes.cart });
  },
  onPreview(e) {
    wx.previewImage({ urls: this.data.product.images, current: e.currentTarget.dataset.current });
  },
  onShareAppMessage() {
    return { title: this.data.product.name, path: site.routes.product + '?id=' + this.data.product.id };
  },
});
