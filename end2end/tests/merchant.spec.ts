// A first-time merchant at 1280×720 and on a phone, and the agency that runs its account:
// what issue #13 found them tripping over, walked through as they would.
import { test, expect, Page } from "@playwright/test";
import { addBlock, logIn, createMerchant, createSite, preview, saved } from "./helpers";

const agency = { login: "first@e2e.test", password: () => process.env.E2E_AGENCY_PASSWORD! };
const owner = { name: "Lotus Bakery", login: "lotus@e2e.test", password: "lotus-password-1" };
let editorUrl = "";

test.describe.configure({ mode: "serial" });

const outline = (page: Page) => page.getByRole("region", { name: "Blocks on this page" });
const panel = (page: Page, name: string) => page.getByRole("region", { name, exact: true });

test("at 1280×720 the page's blocks come first, with full names, icon tools and keyboard paths", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await logIn(page, agency.login, agency.password());
  await createMerchant(page, owner);
  await page.getByRole("button", { name: "Log out" }).click();
  await logIn(page, owner.login, owner.password);
  await createSite(page, "Lotus Bakery", /Shop/);
  editorUrl = page.url();

  // Every block of the page is on screen without scrolling, named in full.
  const rows = outline(page).getByRole("listitem");
  await expect(rows).toHaveCount(5);
  for (let i = 0; i < 5; i++) await expect(rows.nth(i)).toBeInViewport({ ratio: 1 });
  await expect(rows.nth(2).getByRole("button").first()).toHaveAttribute("aria-label", /^Featured product: /);
  await expect(rows.nth(2).locator(".row-kind")).toHaveText("Featured product");

  // The starter shows drawn pictures, not letter tiles.
  const banner = preview(page).locator("img.banner-image").first();
  await expect(banner).toBeVisible();
  expect(await banner.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(300);

  // Roving tabindex: Tab reaches one row; the arrow keys go between rows.
  await expect(outline(page).locator(".outline-select[tabindex='0']")).toHaveCount(1);
  await rows.nth(0).getByRole("button").first().focus();
  await page.keyboard.press("ArrowDown");
  await expect(rows.nth(1).getByRole("button").first()).toBeFocused();
  await page.keyboard.press("End");
  await expect(rows.nth(4).getByRole("button").first()).toBeFocused();

  // The selected block's tools are drawn icons with a tooltip naming what they do.
  await rows.nth(1).getByRole("button").first().click();
  const up = rows.nth(1).getByRole("button", { name: /^Move up: Notice bar/ });
  await expect(up).toHaveAttribute("title", /^Move up: Notice bar/);
  await expect(up.locator("svg")).toHaveCount(1);
  await expect(rows.nth(0).getByRole("button", { name: /^Move up/ })).toHaveCount(0);

  // "Skip to properties" (shown when it has the focus) reaches the panel at once.
  const skip = page.getByRole("link", { name: "Skip to properties" });
  await skip.focus();
  await expect(skip).toBeInViewport();
  await page.keyboard.press("Enter");
  await expect(page.locator("#properties")).toBeFocused();

  // "Add a block" is a searchable list: typing filters, Enter adds the first match.
  await page.getByRole("button", { name: "Add a block" }).click();
  const picker = page.getByRole("dialog", { name: "Add a block" });
  await expect(picker.getByRole("searchbox")).toBeFocused();
  await page.keyboard.type("hours");
  await expect(picker.getByRole("button", { name: "Opening hours", exact: true })).toBeVisible();
  await expect(picker.locator(".palette-item")).toHaveCount(1);
  await page.keyboard.press("Enter");
  await expect(picker).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "Opening hours", level: 2 })).toBeVisible();
  await expect(rows).toHaveCount(6);
  // Hours are on the 24-hour clock, like the phone.
  await expect(panel(page, "Opening hours").getByLabel("Monday opens")).toHaveValue(/^\d\d:\d\d$/);
  await saved(page);
});

test("a product with options says which price the customer sees, and the editor never overflows", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await logIn(page, owner.login, owner.password);
  await page.goto(editorUrl);
  await outline(page).getByRole("button", { name: /^Product grid/ }).click();
  const grid = panel(page, "Product grid");
  // The latte has sizes and temperatures: its editor is the widest there is.
  await grid.getByRole("button", { name: "Oat Latte" }).click();
  const right = page.locator(".editor-right");
  const fits = async () => right.evaluate((el) => el.scrollWidth <= el.clientWidth);
  expect(await fits(), "the product editor fits its panel").toBe(true);
  await expect(grid.getByRole("status").filter({ hasText: "Customers see:" })).toContainText("¥28.00");
  await grid.getByRole("button", { name: "Oat Latte" }).click();
  await grid.getByRole("button", { name: "Butter Croissant" }).click();

  // Without options: the price field says what the customer sees. Prices are read as typed.
  const price = grid.getByLabel("Price", { exact: true });
  await price.fill("¥1,280");
  await expect(grid.getByText("Customers see ¥1280.00.")).toBeVisible();
  await price.fill("16");

  // With options, each choice has its price; the card says "from" the lowest.
  await grid.getByRole("button", { name: "Add an option" }).click();
  await grid.getByLabel("Option name").fill("Size");
  await grid.getByLabel("Values, separated by commas").fill("Regular, Large");
  await expect(grid.getByLabel("Price", { exact: true })).toHaveCount(2); // one per choice
  const large = grid.getByRole("group", { name: "Large" });
  await large.getByLabel("Price").fill("20");
  await expect(grid.getByRole("status").filter({ hasText: "Customers see:" })).toContainText("from ¥16.00");
  await expect(preview(page).getByText("From ¥16.00").first()).toBeVisible();
  expect(await fits(), "with options too").toBe(true);

  // One price for every choice.
  await grid.getByLabel("One price for every choice").fill("18");
  await grid.getByRole("button", { name: "Apply to all choices" }).click();
  await expect(grid.getByRole("status").filter({ hasText: "Customers see:" })).toContainText("¥18.00");
  await expect(large.getByLabel("Price")).toHaveValue("18.00");
  await expect(preview(page).getByText("¥18.00", { exact: true }).first()).toBeVisible();

  // Something that is not a price stays in its field, and is not saved.
  await large.getByLabel("Price").fill("thirty");
  await expect(large.getByText("Enter a price in yuan")).toBeVisible();
  await expect(page.getByRole("button", { name: "Not saved: 1 problem" })).toBeVisible();
  await large.getByLabel("Price").fill("２０"); // full-width digits from a Chinese keyboard
  await expect(page.getByRole("button", { name: /^Not saved/ })).toHaveCount(0);
  await saved(page);
});

test("switching pages shows the new page from its top, and a new page says how to start", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await logIn(page, owner.login, owner.password);
  await page.goto(editorUrl);
  const frame = page.frameLocator('iframe[title="Phone preview"]');
  await expect(frame.getByText("Slow coffee, warm bread")).toBeVisible();
  const phone = page.locator('iframe[title="Phone preview"]');
  const scrollY = () => phone.evaluate((f: HTMLIFrameElement) => f.contentWindow!.scrollY);
  await phone.evaluate((f: HTMLIFrameElement) => f.contentWindow!.scrollTo(0, 600));
  expect(await scrollY()).toBeGreaterThan(0);
  await page.getByRole("region", { name: "Pages" }).getByRole("button", { name: "Visit" }).click();
  await expect(frame.getByText("Opening hours").first()).toBeVisible();
  await expect.poll(scrollY).toBe(0);

  // The site's logo shows with its name on the contact card.
  const { png } = require("../fixtures.js");
  const logo = png(120, 120, (y: number) => Buffer.alloc(360, y * 2));
  await page.getByLabel("Logo").setInputFiles({ name: "logo.png", mimeType: "image/png", buffer: logo });
  await expect(frame.locator("img.contact-logo")).toBeVisible();
  await expect(frame.locator(".contact-name")).toHaveText("Lotus Bakery");

  await page.getByRole("region", { name: "Pages" }).getByRole("button", { name: "Add page" }).click();
  await page.getByPlaceholder("New page title").fill("Events");
  await page.keyboard.press("Enter");
  await expect(outline(page).getByText("This page has no blocks yet.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Move page down" })).toBeDisabled();
  await saved(page);
});

test("on a phone the editor is three tabs, not one long column", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await logIn(page, owner.login, owner.password);
  await page.goto(editorUrl);
  const tabs = page.getByRole("tablist", { name: "Editor views" });
  await expect(tabs.getByRole("tab")).toHaveCount(3);
  await expect(outline(page)).toBeVisible();
  await expect(page.locator('iframe[title="Phone preview"]')).toBeHidden();
  // The page is no taller than the screen (each tab scrolls on its own).
  expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThanOrEqual(844 + 2);
  await tabs.getByRole("tab", { name: "Phone" }).click();
  await expect(page.locator('iframe[title="Phone preview"]')).toBeVisible();
  await tabs.getByRole("tab", { name: "Blocks" }).click();
  // Choosing a block shows its properties.
  await outline(page).getByRole("button", { name: /^Notice bar/ }).click();
  await expect(tabs.getByRole("tab", { name: "Properties" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByRole("heading", { name: "Notice bar" })).toBeVisible();
  // The top bar keeps to two rows at most.
  const bar = await page.locator(".topbar").boundingBox();
  expect(bar!.height).toBeLessThan(100);
});

test("the template picker shows a readable preview on request", async ({ page }) => {
  await logIn(page, owner.login, owner.password);
  await page.getByText("See “Booking” larger").click();
  const big = page.getByTitle("See “Booking” larger");
  await expect(big).toBeVisible();
  expect((await big.boundingBox())!.width).toBeGreaterThanOrEqual(375);
  await page.getByText("Close", { exact: true }).filter({ visible: true }).click();
  await expect(big).toBeHidden();
});

test("an agency pauses, deletes and restores a merchant; the password it resets can be copied", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await logIn(page, agency.login, agency.password());
  await page.getByRole("table", { name: "Merchants" }).getByRole("link", { name: owner.name }).click();
  await page.getByRole("button", { name: "Pause sign-in" }).click();
  await expect(page.getByRole("status")).toContainText("Lotus Bakery is paused");
  await page.getByRole("button", { name: "Log out" }).click();

  // The merchant's right password now says why it does not work.
  await logIn(page, owner.login, owner.password);
  await expect(page.getByRole("alert")).toContainText("Your agency has paused this account");

  await logIn(page, agency.login, agency.password());
  await expect(page.getByRole("table", { name: "Merchants" }).getByRole("row").filter({ hasText: owner.name })).toContainText("Paused");
  await page.getByRole("table", { name: "Merchants" }).getByRole("link", { name: owner.name }).click();
  await page.getByRole("button", { name: "Allow sign-in again" }).click();
  await expect(page.getByRole("status")).toContainText("can sign in again");

  // A reset password comes with a copy button.
  await page.getByRole("button", { name: "Give a new password" }).click();
  const copy = page.getByRole("button", { name: "Copy" });
  await copy.click();
  await expect(page.getByRole("button", { name: "Copied" })).toBeVisible();
  const password = await page.getByLabel("Generated password").inputValue();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(password);

  // Deleting asks once more, then lists it apart, restorable.
  await page.getByText("Delete merchant…").click();
  await page.getByRole("button", { name: "Delete Lotus Bakery and its sites" }).click();
  await expect(page).toHaveURL(/\/agency\?/);
  await expect(page.getByRole("status")).toContainText("You can restore it for 30 days");
  await expect(page.getByRole("table", { name: "Merchants" })).toHaveCount(0);
  const deleted = page.getByRole("region", { name: "Deleted merchants" });
  await expect(deleted).toContainText(/Can be restored until \d{4}-\d\d-\d\d/);
  await page.getByRole("button", { name: "Log out" }).click();
  await logIn(page, owner.login, password);
  await expect(page.getByRole("alert")).toContainText("Your agency has deleted this account");

  await logIn(page, agency.login, agency.password());
  await page.getByRole("region", { name: "Deleted merchants" }).getByRole("button", { name: "Restore: Lotus Bakery" }).click();
  await expect(page.getByRole("status")).toContainText("Lotus Bakery was restored");
  await page.getByRole("button", { name: "Log out" }).click();
  await logIn(page, owner.login, password);
  await expect(page.getByRole("heading", { name: "My mini programs" })).toBeVisible();
});
