// Editor benchmarks (prints numbers; not a test), on the release build:
// 1. what each screen loads: wasm + JS as sent (brotli), the editor's first load and everything
//    it can load later, with brotli (quality 11) and gzip (level 9) sizes of the same files;
// 2. time from navigation to an editor you can type into, on a 10 Mbit/s link with 40 ms
//    latency and a cold cache (median of 10);
// 3. on a page of 300 blocks, the time from a keystroke in a property field to the phone
//    preview showing it (median of 50).
// Usage: node bench/editor.js   (after `make build`; see `make bench`). MPFORGE_BIN and
// MPFORGE_SITE_ROOT measure another build the same way (e.g. an older commit's).
const { chromium } = require("@playwright/test");
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const zlib = require("node:zlib");
const { waitFor } = require("../fixtures.js");

const repo = path.resolve(__dirname, "..", "..");
const siteRoot = path.resolve(repo, process.env.MPFORGE_SITE_ROOT || "target/site");
const port = 3297;
const base = `http://127.0.0.1:${port}`;
const password = "bench-password-123";
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const isCode = (url) => /\.(wasm|js)$/.test(new URL(url).pathname);

/** Brotli q11 and gzip -9 sizes of a built file (what precompression writes, or would). */
function compressed(file) {
  const raw = fs.readFileSync(file);
  const br = zlib.brotliCompressSync(raw, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
  }).length;
  return { raw: raw.length, br, gz: zlib.gzipSync(raw, { level: 9 }).length };
}

function sum(files) {
  return files.map((f) => compressed(path.join(siteRoot, f))).reduce(
    (a, b) => ({ raw: a.raw + b.raw, br: a.br + b.br, gz: a.gz + b.gz }),
    { raw: 0, br: 0, gz: 0 },
  );
}


/** Loads `url` in a fresh page of `context` and returns the wasm and JS files it fetched, with
 *  the bytes that came over the wire for each (compressed, as the server sent them). */
async function codeLoadedBy(context, url, settle) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  const urls = new Map();
  const sent = new Map();
  cdp.on("Network.requestWillBeSent", (e) => urls.set(e.requestId, e.request.url));
  cdp.on("Network.loadingFinished", (e) => sent.set(e.requestId, e.encodedDataLength));
  await page.goto(url);
  await settle(page);
  await page.waitForTimeout(500);
  const files = [];
  for (const [id, u] of urls) if (isCode(u)) files.push({ path: new URL(u).pathname, sent: sent.get(id) || 0 });
  await page.close();
  return files;
}

/** Every wasm and JS file the build has (the editor's lazily loaded parts included). */
function allCode() {
  return fs.readdirSync(path.join(siteRoot, "pkg")).filter((f) => /\.(wasm|js)$/.test(f)).map((f) => `/pkg/${f}`);
}

async function sizes(browser, state, urls) {
  const context = await browser.newContext({ storageState: state });
  for (const [what, url, settle] of urls) {
    const files = await codeLoadedBy(context, url, settle);
    const asSent = files.reduce((n, f) => n + f.sent, 0);
    const c = sum(files.map((f) => f.path));
    console.log(`${what}: wasm + JS as sent ${kb(asSent)} (${files.length} files; brotli ${kb(c.br)}, gzip ${kb(c.gz)}, raw ${kb(c.raw)})`);
  }
  const all = sum(allCode());
  console.log(`editor, everything it can load (all wasm + JS): brotli ${kb(all.br)}, gzip ${kb(all.gz)}, raw ${kb(all.raw)}`);
  await context.close();
}

/** Navigation → the editor runs (the phone shows the page: the editor asked the server for
 *  it once hydrated), on a throttled link with a cold cache. */
async function timeToEditor(browser, state, url, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ storageState: state });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 40,
      downloadThroughput: (10 * 1000 * 1000) / 8,
      uploadThroughput: (10 * 1000 * 1000) / 8,
    });
    const start = Date.now();
    await page.goto(url, { waitUntil: "commit" });
    await page.frameLocator('iframe[title="Phone preview"]').locator("[data-mpf-block]").first().waitFor({ timeout: 60_000 });
    times.push(Date.now() - start);
    await context.close();
  }
  times.sort((a, b) => a - b);
  console.log(
    `navigation -> editor ready, 10 Mbit/s + 40 ms, cold cache: median ${times[Math.floor(times.length / 2)]} ms, min ${times[0]} ms, max ${times[times.length - 1]} ms (n=${runs})`,
  );
}

(async () => {
  const server = spawn("bash", [path.join(__dirname, "..", "start-server.sh"), String(port)], {
    env: { ...process.env, E2E_AGENCY_PASSWORD: password },
    stdio: "ignore",
  });
  try {
    await waitFor(`${base}/healthz`);
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 950 } });
    await page.goto(`${base}/login`);
    await page.getByLabel("Login", { exact: true }).fill("admin@e2e.test");
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(/agency/);
    // The session's anti-CSRF token, as every form of the page carries it.
    const csrf = await page.locator('input[name="csrf_token"]').first().inputValue();
    // The merchant and its site, through the server functions (the same in every build).
    const call = (endpoint, fields) =>
      page.evaluate(
        async ([endpoint, fields]) => {
          const res = await fetch(`/api/${endpoint}`, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
            body: new URLSearchParams(fields),
          });
          if (!res.ok) throw new Error(`${endpoint}: ${res.status} ${await res.text()}`);
          return res.json();
        },
        [endpoint, fields],
      );
    const created = await call("merchants/create", { csrf_token: csrf, name: "Bench Cafe", login: "bench@e2e.test", password: "bench-password-1" });
    const merchantId = created.merchant.id;
    const site = await call("sites/create", { csrf_token: csrf, merchant_id: merchantId, name: "Bench Cafe", template: "shop" });
    const siteId = site.id;
    const href = `/sites/${siteId}/edit`;
    const state = await page.context().storageState();

    const phoneReady = (p) => p.frameLocator('iframe[title="Phone preview"]').locator("[data-mpf-block]").first().waitFor();
    const none = async () => {};
    await sizes(browser, state, [
      ["login page", `${base}/login`, none],
      ["agency dashboard", `${base}/agency`, none],
      ["merchant page", `${base}/merchants/${merchantId}`, none],
      ["editor, first load", `${base}${href}`, phoneReady],
    ]);
    await timeToEditor(browser, state, `${base}${href}`, 10);

    // A page of 300 blocks, saved through the API as the editor would.
    const draft = await page.evaluate(async (id) => (await fetch(`/api/sites/${id}/draft`)).json(), siteId);
    const blocks = draft.site.pages[0].blocks;
    draft.site.pages[0].blocks = Array.from({ length: 300 }, (_, i) => ({ ...blocks[i % blocks.length], id: `b${i}` }));
    draft.site.pages[0].blocks[150] = { id: "target", kind: "notice_bar", text: "start" };
    const saved = await page.evaluate(
      async ([id, body, token]) =>
        (await fetch(`/api/sites/${id}/draft`, { method: "PUT", headers: { "x-csrf-token": token }, body: JSON.stringify(body) })).status,
      [siteId, { base_version: draft.version, site: draft.site }, csrf],
    );
    if (saved !== 200) throw new Error(`saving the 300-block page failed: ${saved}`);

    await page.goto(`${base}${href}`);
    const frame = page.frameLocator('iframe[title="Phone preview"]');
    await frame.locator('[data-mpf-block="target"]').waitFor();
    await page.getByRole("button", { name: /^Notice bar: start/ }).click();
    const field = page.getByRole("region", { name: "Notice bar" }).getByLabel("Text");
    await field.waitFor();

    // Shown: the text is in the phone's DOM and the frame that shows it has been rendered
    // (the editor patches the typed text in place). Rendered: the server's render of the
    // whole page has replaced it (the reconciliation that follows every edit).
    const shownTimes = [];
    const renderedTimes = [];
    for (let i = 0; i < 50; i++) {
      const marker = `m${i}x`;
      const [shownMs, renderedMs] = await field.evaluate(async (input, marker) => {
        const doc = document.querySelector('iframe[title="Phone preview"]').contentDocument;
        const shown = () => doc.querySelector('[data-mpf-block="target"]')?.textContent.includes(marker);
        const rendered = () => performance.getEntriesByName("mpf-preview-updated").some((m) => m.startTime >= start);
        const until = (ok) =>
          new Promise((resolve) => {
            const check = () => (ok() ? resolve() : requestAnimationFrame(check));
            check();
          });
        // The first frame after the keystroke: its animation-frame callback is registered
        // before the keystroke, so it runs first in that frame, and the task it queues runs
        // once the frame is rendered, ahead of work the editor defers until after the paint.
        // When the text was not in the phone by then, wait for a later frame that shows it.
        const nextFrame = () =>
          new Promise((resolve) => requestAnimationFrame(() => { const ok = shown(); setTimeout(() => resolve(ok), 0); }));
        const frame = nextFrame();
        const start = performance.now();
        input.value = marker;
        input.dispatchEvent(new Event("input", { bubbles: true }));
        if (!(await frame)) {
          await until(shown);
          await nextFrame();
        }
        const shownAt = performance.now() - start;
        await until(() => rendered() && shown());
        const renderedAt = performance.now() - start;
        // Let the editor settle so the next keystroke starts from a quiet page.
        await new Promise((r) => setTimeout(r, 50));
        return [shownAt, renderedAt];
      }, marker);
      shownTimes.push(shownMs);
      renderedTimes.push(renderedMs);
    }
    const report = (what, times) => {
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)];
      console.log(
        `${what}, 300 blocks: median ${median.toFixed(1)} ms, p90 ${times[Math.floor(times.length * 0.9)].toFixed(1)} ms, min ${times[0].toFixed(1)} ms (n=${times.length})`,
      );
    };
    report("keystroke -> preview shows it (painted)", shownTimes);
    report("keystroke -> server render reconciled", renderedTimes);
    await browser.close();
  } finally {
    server.kill();
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
