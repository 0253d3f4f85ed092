// Service -> date -> time -> contact -> POST /bookings (docs/mp-api.md).
const site = require('../../data/site.js');
const api = require('../../utils/api.js');

const SLOT_STEP_MIN = 30;
const DAYS_AHEAD = 14;

function pad(n) {
  return String(n).padStart(2, '0');
}

function isoDate(d) {
  return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate());
}

// Opening window (minutes since midnight) for a date, or null when closed.
function windowFor(date) {
  const iso = isoDate(date);
  const ex = site.booking.exceptions.find((e) => e.date === iso);
  if (ex) return ex.closed ? null : [ex.open, ex.close];
  const day = site.booking.weekly[(date.getDay() + 6) % 7];
  return day && !day.closed ? [day.open, day.close] : null;
}

function dates(today) {
  const out = [];
  for (let i = 0; i < DAYS_AHEAD; i++) {
    const d = new Date(today.getFullYear(), today.getMonth(), today.getDate() + i);
    if (windowFor(d)) out.push({ iso: isoDate(d), label: pad(d.getMonth() + 1) + '/' + pad(d.getDate()) + ' ' + site.labels.weekdays_short[(d.getDay() + 6) % 7] });
  }
  return out;
}

function slots(iso, duration) {
  const [y, m, d] = iso.split('-').map(Number);
  const w = windowFor(new Date(y, m - 1, d));
  const out = [];
  if (!w) return out;
  for (let t = w[0]; t + duration <= w[1]; t += SLOT_STEP_MIN) {
    out.push(pad(Math.floor(t / 60)) + ':' + pad(t % 60));
  }
  return out;
}

Page({
  data: { step: 'service', services: site.booking.services, service: null, dates: [], date: '', slots: [], time: '', name: '', phone: '', labels: site.labels, submitting: false, vars: site.vars || '' },
  onLoad(query) {
    const preset = site.booking.services.find((s) => s.id === query.service);
    if (preset) this.pickService(preset);
  },
  pickService(service) {
    this.setData({ service, step: 'date', dates: dates(new Date()), date: '', time: '' });
  },
  onService(e) {
    this.pickService(site.booking.services.find((s) => s.id === e.currentTarget.dataset.id));
  },
  onDate(e) {
    const date = e.currentTarget.dataset.date;
    this.setData({ date, slots: slots(date, this.data.service.duration_min), step: 'time', time: '' });
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
  onSubmit() {
    const { service, date, time, name, phone } = this.data;
    if (!name.trim()) return api.toast(new Error(site.labels.name_required));
    if (!/^[0-9+\- ]{5,20}$/.test(phone)) return api.toast(new Error(site.labels.phone_invalid));
    this.setData({ submitting: true });
    return api
      .request('POST', '/bookings', { service: service.id, date, time, name: name.trim(), phone })
      .then((res) => {
        this.setData({ step: 'done', booking_id: res && res.booking_id ? String(res.booking_id) : '' });
      })
      .catch(api.toast)
      .then(() => this.setData({ submitting: false }));
  },
});
