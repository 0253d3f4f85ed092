// What the checker, render and bench scripts share: hostile sites, PNG files made on the
// spot (no fixture files), waiting for a server.
const zlib = require("node:zlib");

/** The text no merchant field may turn into markup, a binding or code. */
const EVIL = '</view><script>alert(1)</script>{{x}} " \' <image src="x"/> \u2028 🍵';

/** Hostile merchant text put into a shop starter `site`, with `cjk` characters of long Chinese. */
function hostile(site, cjk = 1500) {
  site.name = "</view>{{n}}\"";
  site.data.products[0].name = EVIL.slice(0, 60);
  site.data.products[1].description = EVIL + "长".repeat(cjk);
  site.data.contact.wechat = "{{wx}}";
  site.pages[0].blocks[1].text = EVIL;
  return site;
}

/** An RGB PNG of `w`×`h` whose scanlines come from `row(y)` (a Buffer of `w * 3` bytes). */
function png(w, h, row) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.concat(Array.from({ length: h }, (_, y) => Buffer.concat([Buffer.from([0]), row(y)])));
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(raw, { level: 6 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Resolves once `url` answers 200 (polled for up to ten seconds). */
async function waitFor(url) {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

module.exports = { EVIL, hostile, png, waitFor };
