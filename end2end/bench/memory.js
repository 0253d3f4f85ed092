// Memory under hostile load, on the release build: the server's peak resident memory (VmHWM)
// after 150 parallel anonymous logins from 150 addresses, then after 12 parallel uploads of a decompression bomb
// (a small PNG claiming a huge canvas) and 12 of a real 24-megapixel photo, each from one
// signed-in merchant.
// Usage: node bench/memory.js           prints the figures (`make bench`);
//        node bench/memory.js --check   also fails when a peak passes its bound (`make e2e`).
// The bounds, in MiB of the whole server process (idle: about 15). They hold for any number of
// cores up to 8: password checks and image work run one per core at a time.
const BOUNDS = { logins: 512, bombs: 512, photos: 1280 };
const check = process.argv.includes("--check");
const over = [];
function measured(what, peak) {
  if (check && Number(peak) > BOUNDS[what]) over.push(`${what}: peak ${peak} MiB, bound ${BOUNDS[what]} MiB`);
}
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { png, waitFor } = require("../fixtures.js");

const repo = path.resolve(__dirname, "..", "..");
const bin = path.resolve(repo, process.env.MPFORGE_BIN || "target/release/mpforge");
const port = 3298;
const base = `http://127.0.0.1:${port}`;
const password = "bench-password-123";

function peakMiB(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name) => Number(status.match(new RegExp(`${name}:\\s+(\\d+)`))[1]);
  return { peak: (kb("VmHWM") / 1024).toFixed(0), now: (kb("VmRSS") / 1024).toFixed(0) };
}


/** A client's cookies and the anti-CSRF token of the last page it opened. */
function cookiesOf(res, jar) {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(";");
    const [name, value] = pair.split("=");
    jar.cookies[name] = value;
  }
  return jar;
}
const cookieHeader = (jar) => Object.entries(jar.cookies).map(([k, v]) => `${k}=${v}`).join("; ");
const copy = (jar) => ({ cookies: { ...jar.cookies }, token: jar.token });

/** Opens a page (following redirects) and keeps its cookies and anti-CSRF token. */
async function visit(url, jar = { cookies: {} }) {
  const res = await fetch(url, { headers: { cookie: cookieHeader(jar) }, redirect: "manual" });
  cookiesOf(res, jar);
  const next = res.headers.get("location");
  if (next) return visit(new URL(next, url).href, jar);
  const token = (await res.text()).match(/name="csrf_token" value="([^"]+)"/);
  if (token) jar.token = token[1];
  return jar;
}

async function formPost(url, jar, fields, extra = {}) {
  const res = await fetch(url, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: cookieHeader(jar), "content-type": "application/x-www-form-urlencoded", ...extra },
    body: new URLSearchParams({ ...fields, csrf_token: jar.token }),
  });
  cookiesOf(res, jar);
  return res;
}

/** Signs in and opens the page the login leads to; the response of the login post. */
async function login(jar, name, password) {
  const res = await formPost(`${base}/auth/login`, jar, { login: name, password });
  const next = res.headers.get("location");
  if (!next || next.startsWith("/login")) throw new Error(`signing in as ${name}: ${res.status} ${next}`);
  await visit(`${base}${next}`, jar);
  return res;
}

(async () => {
  const data = fs.mkdtempSync("/tmp/mpforge-mem-");
  const create = spawn(bin, ["--data-dir", data, "create-agency", "--name", "Mem", "--login", "admin@mem.test"], { stdio: ["pipe", "ignore", "inherit"] });
  create.stdin.end(`${password}\n`);
  await new Promise((r) => create.on("exit", r));
  // As if behind our own proxy, so the logins below can come from many addresses (a botnet)
  // and every one reaches the password check: what bounds memory is then the bound on checks
  // at once, not the per-address throttle.
  const server = spawn(bin, ["--data-dir", data, "--addr", `127.0.0.1:${port}`, "--no-demo", "--trusted-proxy", "127.0.0.1/32"], { stdio: "ignore" });
  try {
    await waitFor(`${base}/healthz`);
    console.log(`idle: peak ${peakMiB(server.pid).peak} MiB`);

    // A merchant and a site (signed in before the flood of logins below), then uploads.
    const jar = await visit(`${base}/login`);
    await login(jar, "admin@mem.test", password);
    await formPost(`${base}/agency`, jar, { name: "Mem Cafe", login: "cafe@mem.test", password: "cafe-password-1" });
    const mjar = await visit(`${base}/login`);
    const home = await login(mjar, "cafe@mem.test", "cafe-password-1");
    const merchant = home.headers.get("location");
    const created = await formPost(`${base}${merchant}`, mjar, { name: "Mem Cafe", template: "shop" });
    if (created.status !== 303) throw new Error(`creating the site: ${created.status} ${merchant} ${await created.text()}`);
    const site = created.headers.get("location").split("/")[2];
    // 150 anonymous logins at once, each for a different name from a different address.
    const jar0 = await visit(`${base}/login`);
    const results = await Promise.all(
      Array.from({ length: 150 }, (_, i) =>
        formPost(`${base}/auth/login`, copy(jar0), { login: `nobody${i}@x.test`, password: "wrong-password-1" }, { "x-forwarded-for": `10.0.${i >> 8}.${i & 255}` }),
      ),
    );
    const answered = (code) => results.filter((r) => (r.headers.get("location") || "").includes(`error=${code}`)).length;
    const [busy, throttled] = [answered("busy"), answered("throttled")];
    const m = peakMiB(server.pid);
    console.log(`150 parallel anonymous logins: peak ${m.peak} MiB (${150 - busy - throttled} checked, ${throttled} throttled, ${busy} answered busy)`);
    measured("logins", m.peak);

    const upload = (bytes) =>
      fetch(`${base}/api/sites/${site}/media`, {
        method: "POST",
        headers: { cookie: cookieHeader(mjar), "x-csrf-token": mjar.token },
        body: bytes,
      });
    // Within 12000 a side but 9000×9000 = 81 MP: refused from its header, before decoding.
    const bomb = png(9000, 9000, () => Buffer.alloc(9000 * 3));
    let codes = await Promise.all(Array.from({ length: 12 }, () => upload(bomb).then((r) => r.status)));
    const afterBombs = peakMiB(server.pid).peak;
    console.log(`12 parallel decompression bombs (${(bomb.length / 1024).toFixed(0)} KB each, 81 MP): peak ${afterBombs} MiB (statuses ${[...new Set(codes)].join(",")})`);
    measured("bombs", afterBombs);
    if (check && codes.some((c) => c !== 422)) over.push(`bombs: expected every one refused with 422, got ${codes.join(",")}`);
    // A real 6000×4000 picture (24 MP; gradients with a little noise, so it neither compresses
    // to nothing nor passes the 20 MB upload limit).
    let seed = 7;
    const photo = png(6000, 4000, (y) => {
      const b = Buffer.alloc(6000 * 3);
      for (let i = 0; i < b.length; i++) {
        if (i % 16 === 0) seed = (seed * 1103515245 + 12345) >>> 0;
        b[i] = ((i >> 4) + (y >> 3) + (seed >>> 31)) & 0xff;
      }
      return b;
    });
    if (photo.length > 20 * 1024 * 1024) throw new Error(`the test photo is ${photo.length} bytes, over the upload limit`);
    codes = await Promise.all(Array.from({ length: 12 }, () => upload(photo).then((r) => r.status)));
    const afterPhotos = peakMiB(server.pid).peak;
    console.log(`12 parallel 24 MP uploads (${(photo.length / 1048576).toFixed(1)} MB each): peak ${afterPhotos} MiB (statuses ${codes.sort().join(",")})`);
    measured("photos", afterPhotos);
  } finally {
    server.kill();
    fs.rmSync(data, { recursive: true, force: true });
  }
  if (over.length) {
    console.error(`memory over its bound:\n  ${over.join("\n  ")}`);
    process.exit(1);
  }
  if (check) console.log(`memory within its bounds (MiB): ${JSON.stringify(BOUNDS)}`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
