// "My bookings": the signed-in customer's bookings (GET /bookings), by day; one still
// confirmed can be cancelled up to the shop's deadline (the server says when it is too late).
const site = require('../../data/site.js');
const api = require('../../utils/api.js');

function view(b) {
  return Object.assign({}, b, {
    status_text: site.labels['status_' + b.status] || b.status,
  });
}

Page({
  data: { bookings: [], loading: true, failed: '', labels: site.labels, vars: site.vars || '' },
  onLoad() {
    wx.setNavigationBarTitle({ title: site.labels.my_bookings });
  },
  onShow() {
    return this.load();
  },
  load() {
    this.setData({ loading: true, failed: '' });
    return api
      .signIn()
      .then(() => api.request('GET', '/bookings'))
      .then((res) => this.setData({ bookings: (res.bookings || []).map(view) }))
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
          .request('POST', '/bookings/' + encodeURIComponent(id) + '/cancel', {})
          .then(() => {
            wx.showToast({ title: site.labels.cancelled_done, icon: 'none' });
            return this.load();
          })
          .catch(api.toast);
      },
    });
  },
});
