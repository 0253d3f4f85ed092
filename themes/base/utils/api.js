// Calls the shop's API (mpforge's own at {public_url}/mp/{site}, docs/mp-api.md). Every
// failure is shown to the customer; a refusal keeps its code and details for the page.
const site = require('../data/site.js');

const TOKEN = 'mpforge_customer';
let config = null;

// The signed-in customer's token, while it is good.
function token() {
  const t = wx.getStorageSync(TOKEN);
  return t && t.token && t.expires_at * 1000 > Date.now() ? t.token : '';
}

function request(method, path, body) {
  return new Promise((resolve, reject) => {
    if (!site.api_base) {
      reject(new Error(site.labels.api_missing));
      return;
    }
    const header = { 'content-type': 'application/json' };
    const t = token();
    if (t) header.Authorization = 'Bearer ' + t;
    wx.request({
      url: site.api_base + path,
      method,
      data: body,
      header,
      success(res) {
        if (res.statusCode >= 200 && res.statusCode < 300) {
          resolve(res.data);
          return;
        }
        const error = (res.data && res.data.error) || {};
        if (res.statusCode === 401) wx.setStorageSync(TOKEN, null);
        const err = new Error(error.message || site.labels.request_failed + ' (' + res.statusCode + ')');
        err.code = error.code || '';
        err.detail = error;
        err.status = res.statusCode;
        reject(err);
      },
      fail() {
        reject(new Error(site.labels.network_failed));
      },
    });
  });
}

// Signs the customer in with WeChat (no prompt: wx.login) and keeps the token.
function signIn() {
  if (token()) return Promise.resolve(token());
  return new Promise((resolve, reject) => {
    wx.login({
      success: (r) => (r.code ? resolve(r.code) : reject(new Error(site.labels.sign_in_failed))),
      fail: () => reject(new Error(site.labels.sign_in_failed)),
    });
  })
    .then((code) => request('POST', '/session', { code }))
    .then((s) => {
      wx.setStorageSync(TOKEN, { token: s.token, expires_at: s.expires_at });
      return s.token;
    });
}

// The shop's rules (delivery, message templates), asked once per launch; none on failure.
function shopConfig() {
  if (config) return Promise.resolve(config);
  return request('GET', '/config')
    .then((c) => {
      config = c;
      return c;
    })
    .catch(() => ({ templates: {} }));
}

// Asks the customer to accept one message of `template` (must run from a tap).
function subscribe(template) {
  return new Promise((resolve) => {
    if (!template || !wx.requestSubscribeMessage) {
      resolve();
      return;
    }
    wx.requestSubscribeMessage({ tmplIds: [template], complete: () => resolve() });
  });
}

// A random id for one order: a retry sends the same, so it is placed once.
function newId() {
  return Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 10) + Math.random().toString(36).slice(2, 10);
}

function toast(err) {
  wx.showToast({ title: err.message, icon: 'none', duration: 3000 });
}

module.exports = { request, toast, signIn, shopConfig, subscribe, newId, token };
