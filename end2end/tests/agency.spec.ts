// An agency running many merchants from its dashboard, against the fake WeChat platform that
// start-server.sh runs on the next port: every rejected site resubmitted at once with live
// progress and a report; a theme change on three merchants that one of them undoes.
import { test, expect, Page, APIRequestContext } from "@playwright/test";
import * as fs from "node:fs";
import { audit, logIn, createMerchant, createSite, openPanel } from "./helpers";

const password = process.env.E2E_AGENCY_PASSWORD!;
const port = Number(process.env.E2E_PORT || 3197);
const fake = `http://127.0.0.1:${port + 1}`;

const grove = [
  { name: "Grove Bakery", login: "grove-bakery@e2e.test", password: "grove-bakery-pass-1", appid: "wx9000000000000001" },
  { name: "Grove Deli", login: "grove-deli@e2e.test", password: "grove-deli-pass-1", appid: "wx9000000000000002" },
  { name: "Grove Florist", login: "grove-florist@e2e.test", password: "grove-florist-pass-1", appid: "wx9000000000000003" },
];

/** A merchant with one shop site; the site's id. */
async function merchantWithSite(page: Page, m: (typeof grove)[number]) {
  await page.goto("/agency");
  await createMerchant(page, m);
  await page.getByRole("table", { name: "Merchants" }).getByRole("link", { name: m.name }).click();
  await createSite(page, m.name, /Shop/);
  return page.url().match(/sites\/([0-9A-Z]{26})\/edit/)![1];
}

/** Connects the site to a new mini program of the fake and publishes it until it is in review. */
async function connectAndSubmit(page: Page, request: APIRequestContext, id: string, m: (typeof grove)[number]) {
  expect((await request.post(`${fake}/fake/apps`, { data: { appid: m.appid, name: `${m.name} MP` } })).ok()).toBeTruthy();
  await page.goto(`/sites/${id}/publish`);
  await page.getByRole("link", { name: "Connect WeChat mini program" }).click();
  await page.getByRole("button", { name: new RegExp(`${m.name} MP`) }).click();
  await expect(page.getByRole("region", { name: "Mini program" })).toContainText("Connected");
  await page.getByRole("button", { name: "Publish now" }).click();
  await expect(page.locator('[data-review="in_review"]')).toBeVisible({ timeout: 45_000 });
}

test("an agency resubmits every rejected site at once, watches the progress and downloads the report", async ({ page, request }) => {
  await logIn(page, "publisher@e2e.test", password);
  const ids: string[] = [];
  for (const m of grove) ids.push(await merchantWithSite(page, m));
  for (const i of [0, 1]) {
    await connectAndSubmit(page, request, ids[i], grove[i]);
    const r = await request.post(`${fake}/fake/audit`, { data: { appid: grove[i].appid, result: "reject", reason: "<b>类目不符</b>" } });
    expect(r.ok()).toBeTruthy();
  }

  // The dashboard counts them and the "Rejected" filter shows them with WeChat's reason.
  await page.goto("/agency");
  await audit(page, "the agency dashboard");
  const tabs = page.getByRole("navigation", { name: "Filter by state" });
  await expect(tabs.getByRole("link", { name: /^Rejected/ })).toContainText("2");
  await tabs.getByRole("link", { name: /^Rejected/ }).click();
  await expect(page).toHaveURL(/state=rejected/);
  const table = page.getByRole("table", { name: "Mini programs" });
  await expect(table.getByRole("row")).toHaveCount(3);
  await expect(table).toContainText("类目不符");
  await expect(table.locator("b")).toHaveCount(0);

  // Everything the filter matches, resubmitted as one job.
  await page.getByLabel(/Apply to all 2 sites this filter matches/).check();
  await page.getByRole("group", { name: "With the selected sites" }).getByRole("button", { name: "Publish", exact: true }).click();
  await expect(page).toHaveURL(/\/agency\/jobs\/[0-9A-Z]{26}$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Publish: 2 sites");
  await audit(page, "a bulk job's page");
  // The page follows the job by itself: the bar fills and each row says done.
  await expect(page.locator("#job-summary")).toHaveText("2 done, 0 failed, 0 cancelled of 2", { timeout: 60_000 });
  await expect(page.locator("#job-bar")).toHaveAttribute("value", "2");
  await expect(page.locator('.item-state[data-state="done"]')).toHaveCount(2);
  await expect(page.getByRole("button", { name: "Cancel what has not started" })).toHaveCount(0);

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download report (CSV)" }).click(),
  ]);
  const csv = fs.readFileSync((await download.path())!, "utf8").replace(/^\uFEFF/, "");
  const lines = csv.trim().split(/\r?\n/);
  expect(lines[0]).toBe("site_id,site,state,attempts,result,errcode,error");
  expect(lines.slice(1).sort()).toEqual(
    [`${ids[0]},Grove Bakery,done,1,in_review,,`, `${ids[1]},Grove Deli,done,1,in_review,,`].sort(),
  );

  // Back on the dashboard, both are in review again.
  await page.goto("/agency?q=grove&state=in_review");
  await expect(table.getByRole("row")).toHaveCount(3);
});

test("a theme change applied to three merchants shows in their editors, and one merchant undoes it", async ({ page }) => {
  await logIn(page, "publisher@e2e.test", password);
  await page.goto("/agency?q=grove");
  const table = page.getByRole("table", { name: "Mini programs" });
  await expect(table.getByRole("row")).toHaveCount(4);
  // Three rows ticked one by one.
  for (const m of grove) await table.getByRole("checkbox", { name: `Select: ${m.name}` }).check();
  const bulk = page.getByRole("group", { name: "With the selected sites" });
  await bulk.getByText("Change the theme…").click();
  await bulk.getByLabel("Primary colour").fill("#7b2ff7");
  await bulk.getByLabel("Corner radius (0–48)").fill("20");
  await bulk.getByRole("button", { name: "Apply theme" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Theme change: 3 sites");
  await expect(page.locator("#job-summary")).toHaveText("3 done, 0 failed, 0 cancelled of 3", { timeout: 30_000 });
  await page.getByRole("button", { name: "Log out" }).click();

  // Each merchant's editor has the new colour; the florist restores its draft from before.
  for (const m of grove) {
    await logIn(page, m.login, m.password);
    await page.getByRole("link", { name: new RegExp(`Edit: ${m.name}`) }).click();
    const theme = await openPanel(page, "Theme");
    await expect(theme.getByRole("textbox", { name: "Main colour", exact: true })).toHaveValue("#7b2ff7");
    if (m === grove[2]) {
      await page.goto(page.url().replace(/\/edit$/, "/publish"));
      const kept = page.getByRole("row").filter({ hasText: "Draft before the agency's change" });
      await kept.getByRole("button", { name: "Restore to the draft" }).click();
      await expect(page).toHaveURL(/\/edit$/);
      const again = await openPanel(page, "Theme");
      await expect(again.getByRole("textbox", { name: "Main colour", exact: true })).not.toHaveValue("#7b2ff7");
    }
    await page.getByRole("button", { name: "Log out" }).click();
  }
  // The other two keep it.
  await logIn(page, grove[0].login, grove[0].password);
  await page.getByRole("link", { name: /Edit: Grove Bakery/ }).click();
  await expect((await openPanel(page, "Theme")).getByRole("textbox", { name: "Main colour", exact: true })).toHaveValue("#7b2ff7");
});
