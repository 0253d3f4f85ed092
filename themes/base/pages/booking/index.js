// Service -> day -> who and time -> contact -> POST /bookings (docs/mp-api.md). The days come
// from the shop's hours; the times and how many places each has come from the shop's server
// (GET /availability), which knows the staff's hours and the bookings already made.
const site = require('../../data/site.js');
const api = require('../../utils/api.js');

const DAYS_AHEAD = 14;
const CONTACT = 'mpforge_contact';

function pad(n) {
  return String(n).padStart(2, '0');
}

function isoDate(d) {
  return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate());
}

// Is the shop open on `date` (its week's hours and special days)?
function openOn(date) {
  const iso = isoDate(date);
  const ex = site.booking.exceptions.find((e) => e.date === iso);
  if (ex) return !ex.closed;
  const day = site.booking.weekly[(date.getDay() + 6) % 7];
  return !!(day && !day.closed);
}

function dates(today) {
  const out = [];
  for (let i = 0; i < DAYS_AHEAD; i++) {
    const d = new Date(today.getFullYear(), today.getMonth(), today.getDate() + i);
    if (openOn(d)) out.push({ iso: isoDate(d), label: pad(d.getMonth() + 1) + '/' + pad(d.getDate()) + ' ' + site.labels.weekdays_short[(d.getDay() + 6) % 7] });
  }
  return out;
}

Page({
  data: {
    step: 'service', services: site.booking.services, service: null, dates: [], date: '', slots: [], time: '',
    staff: '', loading: false, name: '', phone: '', labels: site.labels, submitting: false, vars: site.vars || '',
    bookings_url: site.routes.bookings || '',
  },
  onLoad(query) {
    const c = wx.getStorageSync(CONTACT) || {};
    this.setData({ name: c.name || '', phone: c.phone || '' });
    api.shopConfig().then((config) => {
      this.config = config;
    });
    const preset = site.booking.services.find((s) => s.id === query.service);
    if (preset) this.pickService(preset);
  },
  pickService(service) {
    this.setData({ service, step: 'date', dates: dates(new Date()), date: '', time: '', staff: '' });
  },
  onService(e) {
    this.pickService(site.booking.services.find((s) => s.id === e.currentTarget.dataset.id));
  },
  // The free start times of the day for the staff member chosen (or anyone), from the server.
  loadSlots() {
    const { service, date, staff } = this.data;
    let path = '/availability?service=' + encodeURIComponent(service.id) + '&date=' + date;
    if (staff) path += '&staff=' + encodeURIComponent(staff);
    this.setData({ loading: true, slots: [] });
    return api
      .request('GET', path)
      .then((res) => this.setData({ slots: (res.slots || []).map((s) => s.time) }))
      .catch(api.toast)
      .then(() => this.setData({ loading: false }));
  },
  onDate(e) {
    this.setData({ date: e.currentTarget.dataset.date, step: 'time', time: '' });
    return this.loadSlots();
  },
  onStaff(e) {
    this.setData({ staff: e.currentTarget.dataset.id || '', time: '' });
    return this.loadSlots();
  },
  onTime(e) {
    this.setData({ time: e.currentTarget.dataset.time, step: 'contact' });
  },
  onName(e) {
    this.setData({ name: e.detail.value });
  },
  onPhone(e) {
    this.setData({ phone: e.detail.value });
  },
  onBack() {
    const order = ['service', 'date', 'time', 'contact'];
    const i = order.indexOf(this.data.step);
    if (i > 0) this.setData({ step: order[i - 1] });
  },
  onBookings() {
    wx.navigateTo({ url: site.routes.bookings });
  },
  onSubmit() {
    const { service, date, time, name, phone, staff } = this.data;
    if (!name.trim()) return api.toast(new Error(site.labels.name_required));
    if (!/^[0-9+\- ]{5,20}$/.test(phone)) return api.toast(new Error(site.labels.phone_invalid));
    const body = { service: service.id, date, time, name: name.trim(), phone };
    if (staff) body.staff = staff;
    const template = this.config && this.config.templates && this.config.templates.booking;
    this.setData({ submitting: true });
    return api
      .subscribe(template)
      .then(() => api.signIn().catch(() => ''))
      .then(() => api.request('POST', '/bookings', body))
      .then((res) => {
        wx.setStorageSync(CONTACT, Object.assign({}, wx.getStorageSync(CONTACT) || {}, { name: body.name, phone }));
        this.setData({ step: 'done', booking_id: res && res.booking_id ? String(res.booking_id) : '', staff_name: (res && res.staff_name) || '' });
      })
      .catch((err) => {
        api.toast(err);
        // Taken meanwhile: show the day's times as they are now.
        if (err.code === 'slot_taken') {
          this.setData({ step: 'time', time: '' });
          this.loadSlots();
        }
      })
      .then(() => this.setData({ submitting: false }));
  },
});
