// Steps every spec file takes the same way (a file without tests: Playwright does not run it).
import { expect, Page } from "@playwright/test";

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
  // The inline confirmation only appears when the page is hydrated (the action ran in-page).
  await expect(page.getByRole("status").filter({ hasText: "Merchant created." })).toContainText(m.name);
}

export const preview = (page: Page) => page.frameLocator('iframe[title="Phone preview"]');
export const saved = (page: Page) =>
  expect(page.getByRole("status").filter({ hasText: /^Saved$/ })).toBeVisible({ timeout: 15_000 });
