// Publishing to WeChat through the agency's platform, against the fake platform that
// start-server.sh runs on the next port (mpforge dev-wechat): connect, publish in one click,
// review, release; the link QR code read back by a real decoder; a rejection in Chinese.
import { test, expect, Page, APIRequestContext } from "@playwright/test";
import { PNG } from "pngjs";
import jsQR from "jsqr";
import * as fs from "node:fs";
import { audit, logIn, createMerchant, createSite } from "./helpers";

const password = process.env.E2E_AGENCY_PASSWORD!;
const port = Number(process.env.E2E_PORT || 3197);
const fake = `http://127.0.0.1:${port + 1}`;

async function newSite(page: Page, merchant: { name: string; login: string; password: string }, site: string) {
  await logIn(page, "publisher@e2e.test", password);
  await createMerchant(page, merchant);
  await page.getByRole("table", { name: "Merchants" }).getByRole("link", { name: merchant.name }).click();
  await createSite(page, site, /Shop/);
  const id = page.url().match(/sites\/([0-9A-Z]{26})\/edit/)![1];
  await page.goto(`/sites/${id}/publish`);
  return id;
}

async function connectAndSubmit(page: Page, id: string, app: RegExp) {
  await page.getByRole("link", { name: "Connect WeChat mini program" }).click();
  // WeChat's authorization page (the fake's): the administrator picks the mini program.
  await page.getByRole("button", { name: app }).click();
  await expect(page).toHaveURL(new RegExp(`/sites/${id}/publish$`));
  await expect(page.getByRole("region", { name: "Mini program" })).toContainText("Connected");
  await page.getByRole("button", { name: "Publish now" }).click();
  // The page follows the pipeline by itself until WeChat has the version in review.
  await expect(page.locator('[data-review="in_review"]')).toBeVisible({ timeout: 45_000 });
  await expect(page.locator('[data-step="commit"]')).toContainText("Done");
}

async function review(request: APIRequestContext, appid: string, result: string, reason = "") {
  const r = await request.post(`${fake}/fake/audit`, { data: { appid, result, reason } });
  expect(r.ok()).toBeTruthy();
}

test("an agency connects a site, publishes in one click, WeChat approves, the agency releases", async ({ page, request, baseURL }) => {
  const id = await newSite(page, { name: "Lotus Tea", login: "lotus-tea@e2e.test", password: "lotus-tea-pass-1" }, "Lotus Tea House");
  await connectAndSubmit(page, id, /Fake Café/);
  await review(request, "wx1111111111111111", "approve");
  await page.reload();
  await expect(page.locator('[data-review="approved"]')).toBeVisible();
  await page.getByRole("button", { name: "Release", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Live in WeChat" })).toContainText("1.0.1");
  await expect(page.getByRole("img", { name: "The official mini program code" })).toBeVisible();
  await audit(page, "the publish page");

  // The link QR code downloads as a PNG and reads back as the site's address.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("region", { name: "QR codes" }).getByRole("link", { name: "PNG", exact: true }).first().click(),
  ]);
  const png = PNG.sync.read(fs.readFileSync((await download.path())!));
  const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  expect(code?.data).toBe(`${baseURL}/s/${id}`);

  // The printable table card as a PNG: it carries the same code.
  const [cardDownload] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Table card (PNG)" }).click(),
  ]);
  const card = PNG.sync.read(fs.readFileSync((await cardDownload.path())!));
  expect([card.width, card.height]).toEqual([1240, 1748]);
  expect(jsQR(new Uint8ClampedArray(card.data), card.width, card.height)?.data).toBe(`${baseURL}/s/${id}`);

  await page.goto("/agency/wechat");
  await expect(page.getByText("WeChat's verify ticket has arrived")).toBeVisible();
  await audit(page, "the WeChat platform settings");
  // Scanned in WeChat, the link QR code now opens the released mini program.
  await page.getByRole("button", { name: "Register the link QR codes with WeChat" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Registered: 1" })).toBeVisible();

  // That address shows the site, to anyone.
  const visitor = await page.context().browser()!.newPage();
  await visitor.goto(code!.data);
  await expect(visitor).toHaveTitle(/Lotus Tea House/);
  await visitor.close();
});

test("a rejection shows WeChat's reason in Chinese to a Chinese merchant", async ({ page, request }) => {
  const merchant = { name: "Orchid Salon", login: "orchid@e2e.test", password: "orchid-salon-pass-1" };
  const id = await newSite(page, merchant, "Orchid Salon");
  await connectAndSubmit(page, id, /Fake Salon/);
  await review(request, "wx2222222222222222", "reject", "1:<b>小程序类目</b>与内容不符<br>2:请补充资质");
  await page.getByRole("button", { name: "Log out" }).click();
  await logIn(page, merchant.login, merchant.password);
  await page.getByRole("button", { name: "简体中文" }).click();
  await page.goto(`/sites/${id}/publish`);
  await expect(page.locator('[data-review="rejected"]')).toContainText("审核未通过");
  const reason = page.locator(".review-reason");
  await expect(reason).toContainText("微信审核意见");
  await expect(reason).toContainText("1:小程序类目与内容不符");
  await expect(reason).toContainText("2:请补充资质");
  await expect(reason.locator("b")).toHaveCount(0);
});
