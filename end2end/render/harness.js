// Generates a package with the mpforge binary and renders its pages in miniprogram-simulate,
// with `wx` stubbed: storage in memory, navigation and requests recorded.
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const simulate = require("miniprogram-simulate");

const repo = path.resolve(__dirname, "..", "..");
const bin =
  process.env.MPFORGE_BIN ||
  ["release", "debug"].map((p) => path.join(repo, "target", p, "mpforge")).find((p) => fs.existsSync(p));

function starter(template, lang = "en") {
  return JSON.parse(execFileSync(bin, ["new-site", "--template", template, "--lang", lang], { encoding: "utf8" }));
}

function build(site) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mpforge-render-"));
  fs.writeFileSync(path.join(dir, "site.json"), JSON.stringify(site));
  execFileSync(bin, ["generate", path.join(dir, "site.json"), "--out", path.join(dir, "pkg")]);
  return path.join(dir, "pkg");
}

/** A fresh `wx` whose calls a test can inspect; `reply` answers wx.request. */
function stubWx(reply = () => ({ statusCode: 201, data: {} }), opts = {}) {
  const calls = { navigate: [], toast: [], requests: [], modal: [], headers: [], subscribed: [] };
  const storage = new Map();
  global.wx = {
    setNavigationBarTitle() {},
    navigateTo: (o) => calls.navigate.push(o.url),
    switchTab: (o) => calls.navigate.push(o.url),
    showToast: (o) => calls.toast.push(o.title),
    showModal: (o) => calls.modal.push(o),
    getStorageSync: (k) => storage.get(k),
    setStorageSync: (k, v) => storage.set(k, JSON.parse(JSON.stringify(v))),
    // wx.login gives `opts.code`, or fails (no WeChat here) when there is none.
    login: (o) => (opts.code ? o.success({ code: opts.code }) : o.fail({ errMsg: "login:fail" })),
    requestSubscribeMessage: (o) => {
      calls.subscribed.push(o.tmplIds);
      o.complete && o.complete();
    },
    request(o) {
      calls.requests.push({ url: o.url, method: o.method, data: o.data });
      calls.headers.push(o.header || {});
      const r = reply(o);
      if (r.networkError) o.fail && o.fail({ errMsg: "request:fail" });
      else o.success && o.success(r);
    },
  };
  return calls;
}

/** WeChat `Page()` on top of simulate's `Component()`: onLoad(query) then onShow when attached. */
function shimPage(query) {
  global.Page = (def) => {
    const methods = {};
    for (const [k, v] of Object.entries(def)) if (typeof v === "function") methods[k] = v;
    global.Component({
      data: def.data,
      methods,
      lifetimes: {
        attached() {
          if (def.onLoad) def.onLoad.call(this, query || {});
          if (def.onShow) def.onShow.call(this);
        },
      },
    });
  };
}

/** Renders `pages/<page>/index` of a package. */
function open(pkg, page, query) {
  jest.resetModules();
  shimPage(query);
  const id = simulate.load(path.join(pkg, "pages", page, "index"), { rootPath: pkg });
  const comp = simulate.render(id);
  comp.attach(document.createElement("parent-wrapper"));
  return comp;
}

const text = (comp) => comp.dom.textContent.replace(/\s+/g, " ");

async function tap(node) {
  node.dispatchEvent("tap");
  await simulate.sleep(0);
}

module.exports = { starter, build, stubWx, open, text, tap, simulate };
