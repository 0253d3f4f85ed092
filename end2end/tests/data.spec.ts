import { test, expect, Page } from "@playwright/test";
import { addBlock, audit, logIn, createMerchant, createSite, openPanel, preview, saved } from "./helpers";

// Its own agency (see start-server.sh), so the other specs' merchants do not show here.
const agency = { login: "access@e2e.test", password: () => process.env.E2E_AGENCY_PASSWORD! };
const owner = { name: "Maple Coffee", login: "maple@e2e.test", password: "maple-password-1" };

const outline = (page: Page) => page.getByRole("region", { name: "Blocks on this page" });

test.describe.configure({ mode: "serial" });

test("every screen passes an automated accessibility audit", async ({ page }) => {
  await page.goto("/login");
  await audit(page, "the login page");
  await logIn(page, agency.login, agency.password());
  await expect(page).toHaveURL(/agency/);
  await audit(page, "the agency dashboard");
  await createMerchant(page, owner);
  await page.getByRole("button", { name: "Log out" }).click();

  await logIn(page, owner.login, owner.password);
  await audit(page, "the merchant's sites");
  await createSite(page, "Maple Coffee", /Shop/);
  await expect(preview(page).locator("[data-mpf-block]").first()).toBeVisible();
  await audit(page, "the editor");
  // The panels whose code loads when opened, and a block's data editor.
  await expect((await openPanel(page, "Theme")).getByRole("textbox", { name: "Main colour", exact: true })).toBeVisible();
  await expect((await openPanel(page, "Tab bar")).getByRole("group", { name: "Tab 1" })).toBeVisible();
  await audit(page, "the editor's theme and tab bar panels");
  await outline(page).getByRole("button", { name: /^Product grid/ }).first().click();
  await expect(page.getByRole("region", { name: "Products" })).toBeVisible();
  await audit(page, "the editor's product list");
});

test("a merchant sells sizes at their own prices, and adds staff and a holiday", async ({ page }) => {
  await logIn(page, owner.login, owner.password);
  await page.getByRole("link", { name: /Edit: Maple Coffee/ }).click();
  await expect(preview(page).locator("[data-mpf-block]").first()).toBeVisible();

  // Options of a product: every combination gets a row with its own price and stock.
  await outline(page).getByRole("button", { name: /^Product grid/ }).first().click();
  const products = page.getByRole("region", { name: "Products" });
  await products.getByRole("button", { name: "Americano" }).click();
  await products.getByRole("button", { name: "Add an option" }).click();
  await products.getByLabel("Option name").fill("Size");
  await products.getByLabel("Values, separated by commas").pressSequentially("Small, Large");
  await expect(products.getByLabel("Values, separated by commas")).toHaveValue("Small, Large");
  const large = products.getByRole("group", { name: "Large", exact: true });
  await expect(products.getByRole("group", { name: "Small", exact: true })).toBeVisible();
  await large.getByLabel("Price").fill("32.00");
  await large.getByLabel("Stock").fill("5");
  await audit(page, "the editor with a product's options open");
  // A second option multiplies the combinations; Large keeps its price in each.
  await products.getByRole("button", { name: "Add an option" }).click();
  await products.getByLabel("Option name").nth(1).fill("Temperature");
  await products.getByLabel("Values, separated by commas").nth(1).fill("Hot, Iced");
  await expect(products.getByRole("group", { name: "Large / Iced" }).getByLabel("Price")).toHaveValue("32.00");
  await products.getByRole("button", { name: "Stop selling this combination: Small / Iced" }).click();
  await expect(products.getByRole("group", { name: "Small / Iced" })).toHaveCount(0);
  await expect(products.getByRole("group", { name: /\// })).toHaveCount(3);
  // Undo brings the combination back.
  await page.getByRole("button", { name: "Undo" }).click();
  await expect(products.getByRole("group", { name: "Small / Iced" })).toBeVisible();
  await saved(page);

  // Opening hours: a holiday on which the shop is closed.
  await addBlock(page, "Opening hours");
  const hours = page.getByRole("region", { name: "Opening hours" }).last();
  await hours.getByRole("button", { name: "Add a special day" }).click();
  const day = hours.getByRole("group", { name: "New special day" });
  await day.getByLabel("Date", { exact: true }).fill("2027-02-10");
  const holiday = hours.getByRole("group", { name: "2027-02-10" });
  await holiday.getByLabel("Note").fill("Spring Festival");
  await expect(preview(page).getByText("Spring Festival")).toBeVisible();

  // Staff, and who offers a service.
  await addBlock(page, "Service list");
  const staff = page.getByRole("region", { name: "Staff" });
  await staff.getByRole("button", { name: "Add a staff member" }).click();
  await staff.getByLabel("Name").fill("Lin");
  await staff.getByLabel("Job title").fill("Barista");
  const services = page.getByRole("region", { name: "Services" });
  if ((await services.getByRole("group").count()) === 0) {
    await services.getByRole("button", { name: "Add a service" }).click();
  }
  await services.getByRole("checkbox", { name: "Lin" }).first().check();
  // Time kept free after each booking, and Lin's own week (off on Mondays).
  await services.getByLabel("Free time after each booking (minutes)").first().fill("15");
  await staff.getByRole("checkbox", { name: "Works other hours than the shop's" }).check();
  await staff.getByRole("group", { name: "Mon" }).getByRole("checkbox", { name: "Closed" }).check();
  // Deleting a service, and one Undo brings it back.
  const deletes = services.getByRole("button", { name: "Delete this service" });
  const n = await deletes.count();
  await deletes.last().click();
  await expect(deletes).toHaveCount(n - 1);
  await page.getByRole("button", { name: "Undo" }).click();
  await expect(deletes).toHaveCount(n);
  await saved(page);
  await audit(page, "the editor with staff and services");

  // Everything is still there after a reload.
  await page.reload();
  await outline(page).getByRole("button", { name: /^Service list/ }).first().click();
  await expect(page.getByRole("region", { name: "Staff" }).getByLabel("Job title")).toHaveValue("Barista");
  await expect(page.getByRole("region", { name: "Services" }).getByRole("checkbox", { name: "Lin" }).first()).toBeChecked();
  await expect(page.getByRole("region", { name: "Services" }).getByLabel("Free time after each booking (minutes)").first()).toHaveValue("15");
  const lin = page.getByRole("region", { name: "Staff" });
  await expect(lin.getByRole("checkbox", { name: "Works other hours than the shop's" })).toBeChecked();
  await expect(lin.getByRole("group", { name: "Mon" }).getByRole("checkbox", { name: "Closed" })).toBeChecked();
  await outline(page).getByRole("button", { name: /^Product grid/ }).first().click();
  await page.getByRole("region", { name: "Products" }).getByRole("button", { name: "Americano" }).click();
  await expect(page.getByRole("region", { name: "Products" }).getByRole("group", { name: "Large / Hot" }).getByLabel("Price")).toHaveValue("32.00");
});
