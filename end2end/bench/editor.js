// Editor benchmarks (prints numbers; not a test): release wasm size, and on a page of 300 blocks
// the time from a keystroke in a property field to the phone preview showing it (median of 50).
// Usage: node bench/editor.js   (after `cargo leptos build --release`; see `make bench`)
const { chromium } = require("@playwright/test");
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const zlib = require("node:zlib");

const repo = path.resolve(__dirname, "..", "..");
const port = 3297;
const base = `http://127.0.0.1:${port}`;
const password = "bench-password-123";

function wasmSize() {
  const wasm = fs.readFileSync(path.join(repo, "target/site/pkg/mpforge.wasm"));
  const gz = zlib.gzipSync(wasm, { level: 9 });
  console.log(`release wasm: ${wasm.length} bytes raw, ${gz.length} bytes gzip`);
}

async function waitFor(url) {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

(async () => {
  wasmSize();
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
    const form = page.getByRole("region", { name: "Create merchant" });
    await form.getByLabel("Business name").fill("Bench Cafe");
    await form.getByLabel("Merchant login").fill("bench@e2e.test");
    await form.getByLabel("Initial password").fill("bench-password-1");
    await form.getByRole("button", { name: "Create merchant" }).click();
    await page.getByRole("link", { name: "Bench Cafe" }).click();
    await page.getByLabel("Site name").fill("Bench Cafe");
    await page.getByRole("button", { name: "Create site" }).click();
    const href = await page.getByRole("link", { name: "Open the editor" }).getAttribute("href");
    const siteId = href.split("/")[2];

    // A page of 300 blocks, saved through the API as the editor would.
    const draft = await page.evaluate(async (id) => (await fetch(`/api/sites/${id}/draft`)).json(), siteId);
    const blocks = draft.site.pages[0].blocks;
    draft.site.pages[0].blocks = Array.from({ length: 300 }, (_, i) => ({ ...blocks[i % blocks.length], id: `b${i}` }));
    draft.site.pages[0].blocks[150] = { id: "target", kind: "notice_bar", text: "start" };
    const csrf = (await page.context().cookies()).find((c) => c.name === "mpf_csrf").value;
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
