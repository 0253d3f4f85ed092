// Behaviour shared by every block page: navigation, phone, map, previews, sharing.
const site = require('../data/site.js');

// Where each page lives: `pages/<id>/index`, or `p/<id>/index` when it moved to a subpackage.
function pagePath(id) {
  return site.routes[id];
}

function openPage(id) {
  if (!id) return;
  const url = pagePath(id);
  if (site.tab_pages.indexOf(id) >= 0) {
    wx.switchTab({ url });
  } else {
    wx.navigateTo({ url });
  }
}

function fail(message) {
  wx.showToast({ title: message, icon: 'none' });
}

function createPage(pageId) {
  // A template's unused page slots have no page.
  const page = site.pages.find((p) => p.id === pageId) || { title: '', blocks: [] };
  return {
    data: {
      title: page.title,
      vars: site.vars || '',
      blocks: page.blocks,
      labels: site.labels,
      hours: site.hours,
      location: site.location,
      contact: site.contact,
      gallery: site.gallery,
    },
    onLoad() {
      wx.setNavigationBarTitle({ title: page.title });
    },
    onShareAppMessage() {
      return { title: site.name + ' · ' + page.title, path: pagePath(pageId) };
    },
    onTapLink(e) {
      openPage(e.currentTarget.dataset.page);
    },
    onTapProduct(e) {
      wx.navigateTo({ url: pagePath('product') + '?id=' + encodeURIComponent(e.currentTarget.dataset.id) });
    },
    onBook(e) {
      const service = e.currentTarget.dataset.service || '';
      wx.navigateTo({ url: pagePath('booking') + '?service=' + encodeURIComponent(service) });
    },
    onCall() {
      wx.makePhoneCall({ phoneNumber: site.contact.phone_digits, fail: () => {} });
    },
    onCopy(e) {
      wx.setClipboardData({ data: e.currentTarget.dataset.text });
    },
    onNavigate() {
      const l = site.location;
      wx.openLocation({
        latitude: l.latitude,
        longitude: l.longitude,
        name: l.name,
        address: l.address,
        scale: 16,
        fail: () => fail(site.labels.map_failed),
      });
    },
    onPreview(e) {
      wx.previewImage({ urls: e.currentTarget.dataset.urls, current: e.currentTarget.dataset.current });
    },
  };
}

module.exports = { createPage, openPage, pagePath, fail };
