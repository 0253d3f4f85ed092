import { test, expect, Page } from "@playwright/test";
import { logIn, createMerchant as createMerchantHere, createSite, preview } from "./helpers";

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
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  await expect(page.getByText("No merchants yet")).toBeVisible();

  await createMerchant(page, jade);
  await createMerchant(page, ruby);

  // A taken login is refused with a message, and nothing already there is lost.
  const form = page.getByRole("region", { name: "Create merchant" });
  await form.getByLabel("Business name").fill("Copycat");
  await form.getByLabel("Merchant login").fill(jade.login);
  await form.getByLabel("Initial password").fill("another-pass-1");
  await form.getByRole("button", { name: "Create merchant" }).click();
  // Said under the login field, which is marked; what was typed is still there (not the password).
  await expect(page.getByRole("alert")).toContainText("already in use");
  await expect(form.getByLabel("Merchant login")).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByLabel("Merchant login")).toHaveAccessibleDescription(/already in use/);
  await expect(form.getByLabel("Business name")).toHaveValue("Copycat");
  await expect(form.getByLabel("Merchant login")).toHaveValue(jade.login);
  await expect(form.getByLabel("Initial password")).toHaveValue("");
  await expect(page.getByRole("table", { name: "Merchants" }).getByRole("row")).toHaveCount(3);

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/agency");
  await expect(page).toHaveURL(/\/login$/);
});

test("a merchant sees only its own data", async ({ page }) => {
  // Learn Ruby's id as the agency, to try it as Jade.
  await logIn(page, agency.login, agency.password());
  const rubyHref = await page.getByRole("table", { name: "Merchants" }).getByRole("link", { name: ruby.name }).getAttribute("href");
  await page.getByRole("button", { name: "Log out" }).click();

  await logIn(page, jade.login, jade.password);
  await expect(page).toHaveURL(/\/merchants\/[0-9A-Z]{26}$/);
  await expect(page.getByText(jade.name).first()).toBeVisible();
  await expect(page.getByText(ruby.name)).toHaveCount(0);

  await createSite(page, "Jade Tea", /^Booking/);
  await page.getByRole("link", { name: "My mini programs" }).first().click();
  await expect(page.getByRole("list", { name: "Sites" }).getByRole("heading", { name: "Jade Tea" })).toBeVisible();

  // The agency dashboard and another merchant are out of reach.
  await page.goto("/agency");
  await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
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

  test("an agency creates a merchant and a merchant creates a site", async ({ page }) => {
    await logIn(page, agency.login, agency.password());
    const form = page.getByRole("region", { name: "Create merchant" });
    await form.getByLabel("Business name").fill("Opal Bakery");
    await form.getByLabel("Merchant login").fill("opal@e2e.test");
    // No password given: one is generated and shown once.
    await form.getByRole("button", { name: "Create merchant" }).click();
    const created = page.getByRole("status").filter({ hasText: "Merchant created." });
    await expect(created).toContainText("Opal Bakery");
    const password = await created.getByLabel("Generated password").inputValue();
    // The copy button needs JavaScript: without it, it is not offered.
    await expect(created.getByRole("button", { name: "Copy" })).toBeHidden();
    expect(password.length).toBeGreaterThanOrEqual(10);
    await expect(page.getByRole("table", { name: "Merchants" }).getByRole("link", { name: "Opal Bakery" })).toBeVisible();
    await page.getByRole("button", { name: "Log out" }).click();

    await logIn(page, "opal@e2e.test", password);
    // A name the template cannot take is refused next to the field, the choice kept.
    await page.getByRole("radio", { name: /^Info/ }).check();
    await page.getByLabel("Site name").fill(" ");
    await page.getByRole("button", { name: "Create site" }).click();
    await expect(page.getByLabel("Site name")).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByRole("radio", { name: /^Info/ })).toBeChecked();
    await createSite(page, "Opal Bakery", /^Info/);
    await expect(page.getByRole("heading", { level: 1, name: "Opal Bakery" })).toBeVisible();
  });
});

test("only the editor loads wasm; its theme panel's code arrives when opened", async ({ page }) => {
  // Everything runs under the Content-Security-Policy: the browser reports no violation.
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  const loaded: string[] = [];
  page.on("request", (r) => {
    if (/\.(wasm|js)$/.test(new URL(r.url()).pathname)) loaded.push(new URL(r.url()).pathname);
  });
  await logIn(page, jade.login, jade.password);
  await expect(page.getByRole("heading", { level: 1, name: "My mini programs" })).toBeVisible();
  await page.reload();
  expect(loaded, "the merchant's page loads no script").toEqual([]);

  await page.getByRole("link", { name: /Edit: Jade Tea/ }).click();
  // The phone shows the page once the editor runs (it asks the server for the preview).
  await expect(preview(page).locator("[data-mpf-block]").first()).toBeVisible();
  expect(loaded.filter((p) => p.endsWith(".wasm")).length).toBeGreaterThan(0);
  expect(loaded.some((p) => p.includes("theme_panel")), "not before it is opened").toBe(false);
  // Held on the way: the panel says it is loading, and the focus stays on its toggle.
  let release = () => {};
  const held = new Promise<void>((r) => (release = r));
  await page.route(/theme_panel.*\.wasm$/, async (route) => {
    await held;
    await route.continue();
  });
  const toggle = page.getByRole("button", { name: "Theme", exact: true });
  await toggle.click();
  const theme = page.getByRole("region", { name: "Theme" });
  await expect(theme.getByRole("status")).toHaveText("Loading…");
  await expect(toggle).toBeFocused();
  release();
  await expect(theme.getByRole("textbox", { name: "Main colour", exact: true })).toBeVisible();
  await expect(theme.getByRole("status")).toHaveCount(0);
  await expect(toggle).toBeFocused();
  expect(loaded.some((p) => p.includes("theme_panel"))).toBe(true);
  // Built files are precompressed, named by their content and cached for good.
  const wasm = loaded.find((p) => /mpforge\.[\w-]+\.wasm$/.test(p))!;
  const res = await page.request.get(wasm, { headers: { "accept-encoding": "br, gzip" } });
  expect(res.headers()["content-encoding"]).toBe("br");
  expect(res.headers()["cache-control"]).toContain("immutable");
  expect(violations).toEqual([]);
});

test("switching to 中文 translates the shell and is remembered", async ({ page }) => {
  await logIn(page, agency.login, agency.password());
  await page.getByRole("button", { name: "简体中文" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await expect(page.getByRole("heading", { level: 1, name: "控制台" })).toBeVisible();
  await expect(page.getByRole("button", { name: "退出登录" })).toBeVisible();
  await expect(page.getByRole("region", { name: "创建商户" })).toBeVisible();

  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: "控制台" })).toBeVisible();
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
});
