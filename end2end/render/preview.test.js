// The editor's H5 preview renders the theme's own WXML (server/src/generator/wxml.rs). This
// proves it shows the same content in the same order as the mini program itself, for every
// page of every starter and of a hostile fixture: the text of each page in miniprogram-simulate
// must equal the text of the same page in `mpforge preview`.
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const { starter, build, stubWx, open } = require("./harness.js");
const { hostile } = require("../fixtures.js");

const norm = (s) => s.replace(/\s+/g, " ").trim();


const fixtures = [];
for (const t of ["shop", "booking", "info"]) for (const l of ["en", "zh"]) fixtures.push([`${t}-${l}`, () => starter(t, l)]);
fixtures.push(["hostile", () => hostile(starter("shop", "en"), 300)]);

describe.each(fixtures)("%s", (_name, make) => {
  const site = make();
  const pkg = build(site);
  const json = path.join(path.dirname(pkg), "site.json");
  const bin = process.env.MPFORGE_BIN ||
    ["release", "debug"].map((p) => path.resolve(__dirname, "..", "..", "target", p, "mpforge")).find((p) => fs.existsSync(p));

  test.each(site.pages.map((p, i) => [p.id, i]))("page %s shows the same text in the preview", (id, i) => {
    stubWx();
    const mini = norm(open(pkg, id).dom.textContent);
    const out = path.join(path.dirname(pkg), `preview-${id}.html`);
    execFileSync(bin, ["preview", json, "--page", String(i + 1), "--out", out]);
    const doc = new DOMParser().parseFromString(fs.readFileSync(out, "utf8"), "text/html");
    expect(doc.querySelectorAll("script").length).toBe(0);
    const h5 = norm(doc.querySelector(".wx-page").textContent);
    expect(mini.length).toBeGreaterThan(0);
    expect(h5).toBe(mini);
  });
});
