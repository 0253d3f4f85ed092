// "My bookings": the signed-in customer's bookings (GET /bookings), by day; one still
// confirmed can be cancelled up to the shop's deadline (the server says when it is too late).
const site = require('../../data/site.js');
const mine = require('../../utils/mine.js');

function view(b) {
  return Object.assign({}, b, { status_text: site.labels['status_' + b.status] || b.status });
}

Page(mine.listPage({ path: '/bookings', key: 'bookings', title: site.labels.my_bookings, view }));
