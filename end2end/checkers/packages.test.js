// Generated packages against Tencent's checkers (node's test runner; `npm run checkers`).
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const { checkPackage } = require("./check.js");
const { hostile, png } = require("../fixtures.js");

const repo = path.resolve(__dirname, "..", "..");
const bin =
  process.env.MPFORGE_BIN ||
  ["release", "debug"].map((p) => path.join(repo, "target", p, "mpforge")).find((p) => fs.existsSync(p));
assert.ok(bin, "build mpforge first (cargo build -p server)");
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "mpforge-pkg-"));
test.after(() => fs.rmSync(scratch, { recursive: true, force: true }));

const mpforge = (...args) => execFileSync(bin, args, { encoding: "utf8" });
const starter = (template, lang) => JSON.parse(mpforge("new-site", "--template", template, "--lang", lang));

function generate(name, site) {
  const json = path.join(scratch, `${name}.json`);
  const out = path.join(scratch, name);
  fs.writeFileSync(json, JSON.stringify(site));
  mpforge("generate", json, "--out", out);
  return out;
}

for (const template of ["shop", "booking", "info"]) {
  for (const lang of ["en", "zh"]) {
    test(`${template} starter (${lang}) passes Tencent's checkers`, () => {
      assert.deepEqual(checkPackage(generate(`${template}-${lang}`, starter(template, lang))), []);
    });
  }
}

test("hostile merchant text passes and stays text", () => {
  const dir = generate("hostile", hostile(starter("shop", "en")));
  assert.deepEqual(checkPackage(dir), []);
  for (const f of ["pages/home/index.wxml", "components/blocks/blocks.wxml", "app.wxss"]) {
    const text = fs.readFileSync(path.join(dir, f), "utf8");
    assert.ok(!text.includes("alert(1)") && !text.includes("{{x}}"), `${f} must not contain merchant text`);
  }
});

test("a site with its logo on the contact card passes", () => {
  const site = starter("booking", "en");
  fs.writeFileSync(path.join(scratch, "logo.png"), png(300, 300, (y) => Buffer.alloc(900, y % 256)));
  site.logo = "logo.png";
  const dir = generate("logo", site);
  assert.deepEqual(checkPackage(dir), []);
  const data = fs.readFileSync(path.join(dir, "data/site.js"), "utf8");
  assert.match(data, /"logo":"\/images\/[0-9a-f]{16}\.jpg"/);
});

/** A PNG of random pixels: incompressible, so it stays large after mpforge re-encodes it. */
function noisePng(w, h, seed) {
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) & 0x7fffffff) >> 16;
  return png(w, h, () => {
    next(); // the filter byte's turn, as before
    return Buffer.from(Array.from({ length: w * 3 }, next));
  });
}

test("a site over 2 MB spills its non-tab pages into subpackages and still passes", () => {
  const site = starter("shop", "en");
  for (const [i, p] of site.data.products.entries()) {
    fs.writeFileSync(path.join(scratch, `detail${i}.png`), noisePng(640, 640, i + 1));
    p.images = (p.images || []).concat(`detail${i}.png`);
  }
  site.pages.push({ id: "story", title: "Our story", blocks: [{ id: "pics", kind: "gallery", title: "Inside", columns: 2 }] });
  site.pages[0].blocks.push({ id: "to-story", kind: "link_button", label: "Our story", page: "story" });
  for (let i = 0; i < 7; i++) {
    fs.writeFileSync(path.join(scratch, `g${i}.png`), noisePng(640, 640, 100 + i));
    site.data.gallery.push(`g${i}.png`);
  }
  const out = path.join(scratch, "spilled.json");
  fs.writeFileSync(out, JSON.stringify(site));
  const dir = path.join(scratch, "spilled");
  const summary = mpforge("generate", out, "--out", dir);
  assert.match(summary, /subpackage p\/product\//);
  const app = JSON.parse(fs.readFileSync(path.join(dir, "app.json"), "utf8"));
  assert.deepEqual(app.subPackages.map((s) => s.root).sort(), ["p/cart/", "p/orders/", "p/product/", "p/story/"]);
  assert.ok(fs.readdirSync(path.join(dir, "p/story/images")).length === 7, "gallery pictures moved with their page");
  // Over 2 MB of photos cannot meet Tencent's advice of 200 KB of packaged images in all.
  assert.deepEqual(checkPackage(dir, { allowImageTotal: true }), []);
});

// The harness must fail on broken packages, or passing means nothing.
const breakages = [
  ["an unclosed WXML tag", (d) => edit(d, "pages/home/index.wxml", (s) => s.replace('<view class="page">', '<view class="page"><view>')), /wcc/],
  ["a broken binding", (d) => edit(d, "pages/home/index.wxml", (s) => s.replace('wx:key="id"', 'wx:key="{{id"')), /wcc/],
  ["an HTML tag", (d) => edit(d, "pages/home/index.wxml", (s) => s.replace("</view>", "<div>x</div></view>")), /<div> is not a WXML tag/],
  ["unbalanced WXSS", (d) => edit(d, "app.wxss", (s) => s + "\n.x { color: red;"), /wcsc|10037/],
  ["a JS syntax error", (d) => edit(d, "utils/page.js", (s) => s + "\nfunction ("), /10045|miniprogram-ci/],
  ["app.js missing", (d) => fs.rmSync(path.join(d, "app.js")), /app\.js: missing/],
  ["a named colour", (d) => edit(d, "app.json", (s) => s.replace(/"backgroundColor": "#[0-9a-f]{6}"/, '"backgroundColor": "green"')), /not a #rrggbb/],
  ["an unknown app.json key", (d) => edit(d, "app.json", (s) => s.replace('"style"', '"styel"')), /unknown key "styel"/],
  ["a one-item tab bar", (d) => edit(d, "app.json", (s) => { const a = JSON.parse(s); a.tabBar.list.length = 1; return JSON.stringify(a); }), /2 to 5/],
  ["a missing tab icon", (d) => fs.rmSync(path.join(d, "images/tab/home.png")), /tab icon images\/tab\/home\.png missing/],
  ["a page without its .js", (d) => fs.rmSync(path.join(d, "pages/visit/index.js")), /index\.js missing/],
];

function edit(dir, file, f) {
  const p = path.join(dir, file);
  fs.writeFileSync(p, f(fs.readFileSync(p, "utf8")));
}

for (const [what, breakIt, expected] of breakages) {
  test(`a package with ${what} is refused`, () => {
    const dir = generate(`broken-${what.replace(/\W+/g, "-")}`, starter("info", "en"));
    breakIt(dir);
    const problems = checkPackage(dir);
    assert.ok(problems.some((p) => expected.test(p)), `expected ${expected} in:\n${problems.join("\n")}`);
  });
}

for (const theme of ["shop", "booking", "info"]) {
  test(`the ${theme} platform template (mpforge template) passes Tencent's checkers`, () => {
    const out = path.join(scratch, `template-${theme}`);
    mpforge("template", "--theme", theme, "--out", out);
    assert.deepEqual(checkPackage(out), []);
    const app = JSON.parse(fs.readFileSync(path.join(out, "app.json"), "utf8"));
    assert.equal(app.pages[0], "pages/p1/index");
    assert.match(fs.readFileSync(path.join(out, "data/site.js"), "utf8"), /getExtConfigSync/);
  });
}
