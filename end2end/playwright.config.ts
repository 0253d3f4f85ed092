import { defineConfig } from "@playwright/test";
import { randomBytes } from "node:crypto";

// One throwaway server per run, on its own port and data dir (see start-server.sh).
// The agency password is random per run and reaches the tests through the environment.
process.env.E2E_AGENCY_PASSWORD ||= randomBytes(12).toString("hex");
const port = Number(process.env.E2E_PORT || 3197);
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: "./tests",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    command: `bash ./start-server.sh ${port}`,
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
    stderr: "pipe",
    env: { E2E_AGENCY_PASSWORD: process.env.E2E_AGENCY_PASSWORD! },
  },
});
