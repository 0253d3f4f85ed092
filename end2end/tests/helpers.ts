// Steps every spec file takes the same way (a file without tests: Playwright does not run it).
import { expect, Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

export type Account = { name: string; login: string; password: string };

export async function logIn(page: Page, login: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Login", { exact: true }).fill(login);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

/** On the agency dashboard: creates merchant `m` and waits for the confirmation. */
export async function createMerchant(page: Page, m: Account) {
  const form = page.getByRole("region", { name: "Create merchant" });
  await form.getByLabel("Business name").fill(m.name);
  await form.getByLabel("Merchant login").fill(m.login);
  await form.getByLabel("Initial password").fill(m.password);
  await form.getByRole("button", { name: "Create merchant" }).click();
  // The server runs the form and renders the dashboard again with the confirmation.
  await expect(page.getByRole("status").filter({ hasText: "Merchant created." })).toContainText(m.name);
}

/** On the merchant's page: creates a site from a template; the editor opens on it. */
export async function createSite(page: Page, name: string, template: RegExp) {
  await page.getByLabel("Site name").fill(name);
  await page.getByRole("radio", { name: template }).check();
  await page.getByRole("button", { name: "Create site" }).click();
  await expect(page).toHaveURL(/\/sites\/[0-9A-Z]{26}\/edit$/);
}

/** Adds a block of type `name` to the page through the "Add a block" picker. */
export async function addBlock(page: Page, name: string) {
  await page.getByRole("button", { name: "Add a block" }).click();
  await page.getByRole("dialog", { name: "Add a block" }).getByRole("button", { name, exact: true }).click();
}

/** Opens one of the editor's panels that load when first opened ("Theme", "Tab bar"). */
export async function openPanel(page: Page, name: string) {
  const toggle = page.getByRole("button", { name, exact: true, expanded: false });
  if (await toggle.count()) await toggle.click();
  return page.getByRole("region", { name });
}

export const preview = (page: Page) => page.frameLocator('iframe[title="Phone preview"]');
export const saved = (page: Page) =>
  expect(page.getByRole("status").filter({ hasText: /^Saved$/ })).toBeVisible({ timeout: 15_000 });

/** Collects what the browser reports against the Content-Security-Policy. */
export function cspViolations(page: Page): string[] {
  const found: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) found.push(m.text());
  });
  return found;
}

/** WCAG 2.1 A and AA, by axe-core. The phone preview is left out: it shows the merchant's
 *  own colours and text as the mini program will, which the editor warns about itself. */
export async function audit(page: Page, what: string) {
  const result = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .exclude('iframe[title="Phone preview"]')
    .analyze();
  const found = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")})`);
  // A11Y_DIAG=1 prints every finding (with colours and selectors) instead of failing.
  if (process.env.A11Y_DIAG) {
    for (const v of result.violations) for (const n of v.nodes) console.log(what, "|", v.id, "|", n.target.join(" "), "|", (n.any[0]?.message || n.failureSummary || "").slice(0, 200));
    return;
  }
  expect(found, `accessibility problems on ${what}`).toEqual([]);
}

