// A platform template with a site's ext.json merged over it, as WeChat merges at commit:
// the template's code shows the merchant's own texts, read from wx.getExtConfigSync().
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const { starter, stubWx, open, text, tap } = require("./harness.js");

const repo = path.resolve(__dirname, "..", "..");
const bin =
  process.env.MPFORGE_BIN ||
  ["release", "debug"].map((p) => path.join(repo, "target", p, "mpforge")).find((p) => fs.existsSync(p));

/** WeChat's merge: `pages` and `tabBar.list` replace, other window/tabBar keys are set one by one. */
function merge(appJson, ext) {
  const app = JSON.parse(JSON.stringify(appJson));
  for (const key of ["window", "tabBar"]) {
    if (ext[key]) app[key] = Object.assign(app[key] || {}, ext[key]);
  }
  if (ext.pages) app.pages = ext.pages;
  return app;
}

function committed(theme, edit) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mpforge-tpl-"));
  const pkg = path.join(dir, "pkg");
  execFileSync(bin, ["template", "--theme", theme, "--out", pkg]);
  const site = starter(theme, "en");
  edit(site);
  fs.writeFileSync(path.join(dir, "site.json"), JSON.stringify(site));
  const ext = JSON.parse(
    execFileSync(bin, ["--public-url", "https://mp.example.com", "ext-json", path.join(dir, "site.json"), "--appid", "wx1111111111111111"], {
      encoding: "utf8",
    }),
  );
  const appJson = JSON.parse(fs.readFileSync(path.join(pkg, "app.json"), "utf8"));
  fs.writeFileSync(path.join(pkg, "app.json"), JSON.stringify(merge(appJson, ext)));
  return { pkg, ext, site };
}

function stubExt(ext) {
  const calls = stubWx();
  global.wx.getExtConfigSync = () => ext.ext;
  return calls;
}

test("a shop's ext.json over the shop template renders the merchant's texts and colours", async () => {
  const { pkg, ext } = committed("shop", (site) => {
    site.name = "Lotus Tea House";
    site.pages[0].blocks.find((b) => b.kind === "banner").slides[0].title = "Fresh leaves every morning";
  });
  expect(ext.extAppid).toBe("wx1111111111111111");
  expect(ext.window.navigationBarTitleText).toBe("Lotus Tea House");
  const app = JSON.parse(fs.readFileSync(path.join(pkg, "app.json"), "utf8"));
  expect(app.tabBar.list[0].pagePath).toBe("pages/p1/index");
  expect(app.window.navigationBarTitleText).toBe("Lotus Tea House");
  const calls = stubExt(ext);
  const home = open(pkg, "p1");
  expect(text(home)).toContain("Fresh leaves every morning");
  expect(home.instance.data.vars).toContain("--primary:");
  // Pictures come from mpforge's public URL, not from the package.
  expect(JSON.stringify(home.instance.data.blocks)).toContain("https://mp.example.com/i/");
  // A product opens the template's product screen through the ext's routes.
  await tap(home.querySelector(".product-card"));
  expect(calls.navigate[0]).toMatch(/^\/pages\/product\/index\?id=/);
});

test("a booking site's second page fills the second slot", () => {
  const { pkg, ext, site } = committed("booking", (s) => {
    s.pages[1].title = "Our prices";
  });
  stubExt(ext);
  const second = open(pkg, "p2");
  expect(second.instance.data.title).toBe("Our prices");
  expect(ext.ext.site.slots).toEqual(site.pages.map((p) => p.id));
});
