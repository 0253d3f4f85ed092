// The cart lives in local storage so it survives restarts. Prices are integers in fen.
const KEY = 'mpforge_cart';

function load() {
  try {
    return wx.getStorageSync(KEY) || [];
  } catch (e) {
    return [];
  }
}

function save(lines) {
  wx.setStorageSync(KEY, lines);
  return lines;
}

function add(line) {
  const lines = load();
  const same = lines.find((l) => l.key === line.key);
  if (same) {
    same.quantity += line.quantity;
  } else {
    lines.push(line);
  }
  return save(lines);
}

function setQuantity(key, quantity) {
  const lines = load()
    .map((l) => (l.key === key ? Object.assign({}, l, { quantity }) : l))
    .filter((l) => l.quantity > 0);
  return save(lines);
}

function clear() {
  return save([]);
}

function totals(lines) {
  let count = 0;
  let fen = 0;
  lines.forEach((l) => {
    count += l.quantity;
    fen += l.quantity * l.price;
  });
  return { count, fen };
}

function yuan(fen) {
  return '¥' + Math.floor(fen / 100) + '.' + String(fen % 100).padStart(2, '0');
}

// The server's prices for lines it refused (409 price_changed): the cart takes them.
function reprice(serverLines) {
  const lines = load().map((l) => {
    const s = (serverLines || []).find((x) => x.product === l.product && (x.variant || '') === (l.variant || ''));
    return s ? Object.assign({}, l, { price: s.unit_price }) : l;
  });
  return save(lines);
}

module.exports = { load, add, setQuantity, clear, totals, yuan, reprice };
