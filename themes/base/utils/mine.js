// "My orders" and "My bookings": the signed-in customer's list (GET `path`), each shown through
// `view`, and one cancelled (POST `path`/{id}/cancel) after the customer confirms.
const site = require('../data/site.js');
const api = require('./api.js');

function listPage(opts) {
  const data = { loading: true, failed: '', labels: site.labels, vars: site.vars || '' };
  data[opts.key] = [];
  return {
    data,
    onLoad() {
      wx.setNavigationBarTitle({ title: opts.title });
    },
    onShow() {
      return this.load();
    },
    load() {
      this.setData({ loading: true, failed: '' });
      return api
        .signIn()
        .then(() => api.request('GET', opts.path))
        .then((res) => {
          const shown = {};
          shown[opts.key] = (res[opts.key] || []).map(opts.view);
          this.setData(shown);
        })
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
            .request('POST', opts.path + '/' + encodeURIComponent(id) + '/cancel', {})
            .then(() => {
              wx.showToast({ title: site.labels.cancelled_done, icon: 'none' });
              return this.load();
            })
            .catch(api.toast);
        },
      });
    },
  };
}

module.exports = { listPage };
