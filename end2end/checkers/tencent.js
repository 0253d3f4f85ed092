// Runs Tencent's miniprogram-ci offline on one package directory and prints a JSON verdict.
// A separate process because miniprogram-ci leaves handles open: we exit explicitly.
// Usage: node tencent.js PACKAGE_DIR [--allow-image-total]
//
// checkCodeQuality's IMAGE_AND_AUDIO_LIMIT is Tencent's advice that all packaged images and
// audio together stay under 200 KB (serve the rest from a CDN). Starters meet it; a site that
// packages many product photos cannot, so such fixtures pass --allow-image-total and rely on
// the per-image 200 KB rule of check.js instead.
const ci = require("miniprogram-ci");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const MAIN_LIMIT = 2 * 1024 * 1024;

(async () => {
  const projectPath = path.resolve(process.argv[2]);
  // miniprogram-ci writes hash-named scratch folders into the working directory.
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "mpforge-ci-"));
  process.chdir(work);
  const errors = [];
  try {
    const project = new ci.Project({
      appid: "wx0000000000000000",
      type: "miniProgram",
      projectPath,
      privateKey: "unused",
      attr: async () => ci.DefaultProjectAttr, // keeps it offline
    });
    await ci.getCompiledResult(
      { project, version: "1.0.0", setting: { es7: true, minify: true }, onProgressUpdate: () => {} },
      path.join(work, "compiled.zip"),
    );
    const quality = await ci.checkCodeQuality(project);
    const size = quality.find((q) => q.name === "PACKAGE_SIZE_LIMIT");
    for (const [pkg, bytes] of Object.entries((size && size.detail) || {})) {
      if (bytes > MAIN_LIMIT) errors.push(`package ${pkg} is ${bytes} bytes, over 2 MB`);
    }
    const images = quality.find((q) => q.name === "IMAGE_AND_AUDIO_LIMIT");
    if (images && images.success === false && !process.argv.includes("--allow-image-total")) {
      errors.push("checkCodeQuality: packaged images and audio total over 200 KB");
    }
  } catch (e) {
    errors.push(`miniprogram-ci ${e.code || ""} ${e.path || ""}: ${String(e.message || e).split("\n")[0]}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify({ errors }) + "\n");
  process.exit(errors.length ? 1 : 0);
})();
