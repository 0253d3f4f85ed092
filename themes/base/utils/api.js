// Calls the merchant's API (docs/mp-api.md). Every failure is shown to the customer.
const site = require('../data/site.js');

function request(method, path, body) {
  return new Promise((resolve, reject) => {
    if (!site.api_base) {
      reject(new Error(site.labels.api_missing));
      return;
    }
    wx.request({
      url: site.api_base + path,
      method,
      data: body,
      header: { 'content-type': 'application/json' },
      success(res) {
        if (res.statusCode >= 200 && res.statusCode < 300) {
          resolve(res.data);
        } else {
          const msg = res.data && res.data.error && res.data.error.message;
          reject(new Error(msg || site.labels.request_failed + ' (' + res.statusCode + ')'));
        }
      },
      fail() {
        reject(new Error(site.labels.network_failed));
      },
    });
  });
}

function toast(err) {
  wx.showToast({ title: err.message, icon: 'none', duration: 3000 });
}

module.exports = { request, toast };
