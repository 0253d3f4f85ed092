import { test, expect, Page } from "@playwright/test";
import { logIn, createMerchant as createMerchantHere } from "./helpers";

const agency = { login: "admin@e2e.test", password: () => process.env.E2E_AGENCY_PASSWORD! };
const jade = { name: "Jade Tea House", login: "jade@e2e.test", password: "jade-password-1" };
const ruby = { name: "Ruby Nail Studio", login: "ruby@e2e.test", password: "ruby-password-1" };

async function createMerchant(page: Page, m: typeof jade) {
  await createMerchantHere(page, m);
  await expect(page.getByRole("table", { name: "Merchants" }).getByRole("link", { name: m.name })).toBeVisible();
}

test.describe.configure({ mode: "serial" });

test("agency logs in, creates merchants, logs out", async ({ page }) => {
  await logIn(page, agency.login, agency.password());
  await expect(page).toHaveURL(/\/agency$/);
  await expect(page.getByRole("heading", { level: 1, name: "Merchants" })).toBeVisible();
  await expect(page.getByText("No merchants yet")).toBeVisible();

  await createMerchant(page, jade);
  await createMerchant(page, ruby);

  // A taken login is refused with a message, and nothing already there is lost.
  const form = page.getByRole("region", { name: "Create merchant" });
  await form.getByLabel("Business name").fill("Copycat");
  await form.getByLabel("Merchant login").fill(jade.login);
  await form.getByLabel("Initial password").fill("another-pass-1");
  await form.getByRole("button", { name: "Create merchant" }).click();
  await expect(page.getByRole("alert")).toContainText("already in use");
  await expect(page.getByRole("table", { name: "Merchants" }).getByRole("row")).toHaveCount(3);

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/agency");
  await expect(page).toHaveURL(/\/login$/);
});

test("a merchant sees only its own data", async ({ page }) => {
  // Learn Ruby's id as the agency, to try it as Jade.
  await logIn(page, agency.login, agency.password());
  const rubyHref = await page.getByRole("link", { name: ruby.name }).getAttribute("href");
  await page.getByRole("button", { name: "Log out" }).click();

  await logIn(page, jade.login, jade.password);
  await expect(page).toHaveURL(/\/merchants\/[0-9A-Z]{26}$/);
  await expect(page.getByText(jade.name).first()).toBeVisible();
  await expect(page.getByText(ruby.name)).toHaveCount(0);

  await page.getByLabel("Site name").fill("Jade Tea");
  await page.getByRole("radio", { name: /^Booking/ }).check();
  await page.getByRole("button", { name: "Create site" }).click();
  await expect(page.getByRole("list", { name: "Sites" }).getByRole("heading", { name: "Jade Tea" })).toBeVisible();

  // The agency dashboard and another merchant are out of reach.
  await page.goto("/agency");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  const res = await page.goto(rubyHref!);
  expect(res!.status()).toBe(404);
  await expect(page.getByText(ruby.name)).toHaveCount(0);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the login form works and a wrong password is explained", async ({ page }) => {
    await logIn(page, jade.login, "wrong-password");
    await expect(page.getByRole("alert")).toContainText("do not match");
    await expect(page.getByLabel("Login", { exact: true })).toHaveValue(jade.login);

    await page.getByLabel("Password").fill(jade.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "My mini programs" })).toBeVisible();
    await page.getByRole("button", { name: "Log out" }).click();
    await expect(page.getByRole("heading", { name: "Log in to mpforge" })).toBeVisible();
  });
});

test("switching to 中文 translates the shell and is remembered", async ({ page }) => {
  await logIn(page, agency.login, agency.password());
  await page.getByRole("button", { name: "简体中文" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await expect(page.getByRole("heading", { level: 1, name: "商户" })).toBeVisible();
  await expect(page.getByRole("button", { name: "退出登录" })).toBeVisible();
  await expect(page.getByRole("region", { name: "创建商户" })).toBeVisible();

  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: "商户" })).toBeVisible();
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Merchants" })).toBeVisible();
});
