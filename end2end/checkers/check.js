// Checks a generated mini program package the way WeChat will: Tencent's own compilers
// (wcc for WXML, wcsc for WXSS, miniprogram-ci for the whole project) plus the rules those
// tools do not enforce. Returns a list of problems; empty means the package is good.
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const wcc = require("miniprogram-compiler/src/wcc");
const wcsc = require("miniprogram-compiler/src/wcsc");

const MAIN_LIMIT = 2 * 1024 * 1024;
const IMAGE_LIMIT = 200 * 1024;
const TAB_ICON_LIMIT = 40 * 1024;
const HEX = /^#[0-9a-fA-F]{6}$/;
// Tags WXML knows (base components) plus WXML's own structural tags.
const TAGS = new Set(("view scroll-view swiper swiper-item movable-area movable-view cover-view cover-image " +
  "match-media page-container root-portal icon text rich-text progress button checkbox checkbox-group editor " +
  "form input keyboard-accessory label picker picker-view picker-view-column radio radio-group slider switch " +
  "textarea navigator functional-page-navigator audio camera image live-player live-pusher video voip-room " +
  "map canvas web-view ad ad-custom official-account open-data page-meta navigation-bar " +
  "block template import include slot wxs").split(" "));
const APP_KEYS = new Set(("entryPagePath pages window tabBar networkTimeout debug functionalPages subpackages " +
  "subPackages workers requiredBackgroundModes requiredPrivateInfos plugins preloadRule resizable usingComponents " +
  "permission sitemapLocation style useExtendedLib entranceDeclare darkmode themeLocation lazyCodeLoading " +
  "singlePage supportedMaterials serviceProviderTicket embeddedAppIdList halfPage debugOptions enablePassiveEvent " +
  "resolveAlias renderer rendererOptions componentFramework miniApp static chatTools componentPlaceholder").split(" "));

function walk(dir, base = dir, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, base, out);
    else out.push(path.relative(base, full).split(path.sep).join("/"));
  }
  return out;
}

function ownChecks(root, files) {
  const problems = [];
  const has = (f) => files.includes(f);
  for (const f of ["app.js", "app.json", "app.wxss", "project.config.json", "sitemap.json"]) {
    if (!has(f)) problems.push(`${f}: missing`);
  }
  if (!has("app.json")) return problems;
  let app;
  try {
    app = JSON.parse(fs.readFileSync(path.join(root, "app.json"), "utf8"));
  } catch (e) {
    return problems.concat(`app.json: not JSON (${e.message})`);
  }
  for (const key of Object.keys(app)) if (!APP_KEYS.has(key)) problems.push(`app.json: unknown key "${key}"`);
  if (!Array.isArray(app.pages) || app.pages.length === 0) problems.push("app.json: pages is empty");
  for (const page of app.pages || []) {
    for (const ext of ["js", "wxml"]) if (!has(`${page}.${ext}`)) problems.push(`app.json: ${page}.${ext} missing`);
  }
  const subs = app.subPackages || app.subpackages || [];
  for (const sub of subs) {
    if (!/^[\w-]+(\/[\w-]+)*\/$/.test(sub.root || "")) problems.push(`app.json: subpackage root "${sub.root}" must be a folder ending in /`);
    for (const page of sub.pages || []) {
      for (const ext of ["js", "wxml"]) if (!has(`${sub.root}${page}.${ext}`)) problems.push(`app.json: ${sub.root}${page}.${ext} missing`);
    }
  }
  const packageOf = (f) => (subs.find((s) => f.startsWith(s.root)) || { root: "" }).root;
  // Every image path the content refers to exists, and the main package never needs a
  // subpackage's file from its own pages' templates.
  if (has("data/site.js")) {
    const js = fs.readFileSync(path.join(root, "data/site.js"), "utf8");
    for (const m of js.matchAll(/"\/([^"]+\.(?:png|jpe?g|gif))"/g)) {
      if (!has(m[1])) problems.push(`data/site.js: /${m[1]} does not exist`);
    }
    for (const m of js.matchAll(/"(\/[^"]+\/index)"/g)) {
      if (!has(`${m[1].slice(1)}.js`)) problems.push(`data/site.js: route ${m[1]} does not exist`);
    }
  }
  const colors = [];
  for (const k of ["navigationBarBackgroundColor", "backgroundColor"]) if (app.window && app.window[k]) colors.push([`window.${k}`, app.window[k]]);
  if (app.window && app.window.navigationBarTextStyle && !["black", "white"].includes(app.window.navigationBarTextStyle)) {
    problems.push("app.json: window.navigationBarTextStyle must be black or white");
  }
  if (app.tabBar) {
    const tb = app.tabBar;
    for (const k of ["color", "selectedColor", "backgroundColor"]) colors.push([`tabBar.${k}`, tb[k]]);
    const list = tb.list || [];
    if (list.length < 2 || list.length > 5) problems.push(`app.json: tabBar has ${list.length} items (2 to 5)`);
    for (const item of list) {
      if (!(app.pages || []).includes(item.pagePath)) problems.push(`app.json: tab page ${item.pagePath} is not in pages`);
      for (const k of ["iconPath", "selectedIconPath"]) {
        if (!item[k]) continue;
        if (/^https?:/.test(item[k])) problems.push(`app.json: tab icon ${item[k]} must be a local file`);
        else if (!has(item[k])) problems.push(`app.json: tab icon ${item[k]} missing`);
        else if (fs.statSync(path.join(root, item[k])).size > TAB_ICON_LIMIT) problems.push(`${item[k]}: over 40 KB`);
      }
    }
  }
  for (const [where, c] of colors) if (!HEX.test(c || "")) problems.push(`app.json: ${where} "${c}" is not a #rrggbb colour`);
  const sizes = new Map();
  for (const f of files) {
    const full = path.join(root, f);
    const size = fs.statSync(full).size;
    sizes.set(packageOf(f), (sizes.get(packageOf(f)) || 0) + size);
    if (/\.(png|jpe?g|gif|svg)$/i.test(f) && size > IMAGE_LIMIT) problems.push(`${f}: ${size} bytes, images must be under 200 KB`);
    if (/\.webp$/i.test(f)) problems.push(`${f}: webp is not a packaged file type`);
    if (f.endsWith(".json")) {
      try { JSON.parse(fs.readFileSync(full, "utf8")); } catch (e) { problems.push(`${f}: not JSON (${e.message})`); }
    }
    if (f.endsWith(".wxml")) {
      const src = fs.readFileSync(full, "utf8").replace(/<!--[\s\S]*?-->/g, "");
      for (const m of src.matchAll(/<([a-zA-Z][\w-]*)/g)) {
        if (!TAGS.has(m[1])) problems.push(`${f}: <${m[1]}> is not a WXML tag`);
      }
      for (const m of src.matchAll(/\b(?:src)="(\/[^"{}]+)"/g)) {
        const target = m[1].slice(1);
        if (!has(target) && !has(`${target}.wxml`)) problems.push(`${f}: ${m[1]} does not exist`);
      }
    }
    if (f.endsWith(".wxss")) {
      const css = fs.readFileSync(full, "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
      if (/(^|[\s,{}>+~])\*(?=[\s,{:.[#>+~]|$)/m.test(css)) problems.push(`${f}: the * selector is rejected by WeChat`);
    }
  }
  for (const [pkg, size] of sizes) {
    if (size > MAIN_LIMIT) problems.push(`${pkg ? "subpackage " + pkg : "main package"} is ${size} bytes, over WeChat's 2 MB`);
  }
  return problems;
}

function compilerChecks(root, files) {
  const problems = [];
  const wxml = files.filter((f) => f.endsWith(".wxml")).map((f) => f.slice(0, -5));
  try {
    wcc(root, wxml, [], { maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    problems.push(`wcc: ${String(e.message).replace(/^[^：:]*[：:]/, "").trim()}`);
  }
  const wxss = files.filter((f) => f.endsWith(".wxss")).map((f) => f.slice(0, -5));
  const r = wcsc(root, wxss, { maxBuffer: 64 * 1024 * 1024 });
  if (r instanceof Error) problems.push(`wcsc: ${String(r.message).replace(/^[^：:]*[：:]/, "").trim()}`);
  return problems;
}

function tencentCi(root, opts) {
  const args = [path.join(__dirname, "tencent.js"), root].concat(opts.allowImageTotal ? ["--allow-image-total"] : []);
  const run = spawnSync(process.execPath, args, { encoding: "utf8", timeout: 180_000 });
  const line = (run.stdout || "").trim().split("\n").pop();
  try {
    return JSON.parse(line).errors;
  } catch {
    return [`miniprogram-ci did not finish (status ${run.status}): ${(run.stderr || "").slice(-400)}`];
  }
}

/** Every problem of the package in `root`. `opts.allowImageTotal`: see tencent.js. */
function checkPackage(root, opts = {}) {
  const files = walk(root);
  const own = ownChecks(root, files);
  if (own.some((p) => p.endsWith("missing") && p.startsWith("app."))) return own;
  return own.concat(compilerChecks(root, files), tencentCi(root, opts));
}

module.exports = { checkPackage };
