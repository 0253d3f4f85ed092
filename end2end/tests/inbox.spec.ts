// A mini program's customer orders (over HTTP, as the mini program does) and the merchant's
// open inbox shows it without a reload; the merchant accepts it and the fake WeChat platform
// (start-server.sh runs it on the next port) receives the subscribe message for the customer.
import { test, expect } from "@playwright/test";
import { audit, logIn, createMerchant, createSite } from "./helpers";

const password = process.env.E2E_AGENCY_PASSWORD!;
const port = Number(process.env.E2E_PORT || 3197);
const fake = `http://127.0.0.1:${port + 1}`;
const appid = "wx4444444444444444";

test("an order appears in the open inbox, is accepted, and the customer gets WeChat's message", async ({ page, request, baseURL }) => {
  // The merchant's mini program, known to WeChat.
  expect((await request.post(`${fake}/fake/apps`, { data: { appid, name: "Maple Bakery" } })).ok()).toBeTruthy();
  const merchant = { name: "Maple Bakery", login: "maple-inbox@e2e.test", password: "maple-bakery-pass-1" };
  await logIn(page, "publisher@e2e.test", password);
  await createMerchant(page, merchant);
  await page.getByRole("table", { name: "Merchants" }).getByRole("link", { name: merchant.name }).click();
  const merchantUrl = page.url();
  await createSite(page, "Maple Bakery", /Shop/);
  const site = page.url().match(/sites\/([0-9A-Z]{26})\/edit/)![1];
  await page.goto(`/sites/${site}/publish`);
  await page.getByRole("link", { name: "Connect WeChat mini program" }).click();
  await page.getByRole("button", { name: /Maple Bakery/ }).click();
  await expect(page.getByRole("region", { name: "Mini program" })).toContainText("Connected");
  // An export: before its first release the mini program answers in test mode.
  expect((await page.request.get(`/api/sites/${site}/export`)).status()).toBe(200);

  // The merchant picks the order template and says what fills its keywords.
  await page.goto(`${merchantUrl}/inbox?tab=settings`);
  const rules = page.getByRole("region", { name: "Maple Bakery" });
  await rules.getByLabel("Order message template id").fill("tmpl-order-status");
  await rules.getByLabel("Order message keywords").fill("character_string1=number\nphrase2=status\nthing3=items");
  await rules.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await audit(page, "the inbox's rules");

  // The inbox is open on the orders; nothing yet.
  await page.getByRole("link", { name: "Orders", exact: true }).click();
  await expect(page.getByText("No orders yet.")).toBeVisible();
  await audit(page, "the empty inbox");

  // A customer opens the mini program: wx.login, sign-in, accepts the order message, orders.
  const login = await (await request.post(`${fake}/fake/login`, { data: { appid } })).json();
  const session = await request.post(`${baseURL}/mp/${site}/session`, { data: { code: login.code } });
  expect(session.status()).toBe(200);
  const { token } = await session.json();
  await request.post(`${fake}/fake/subscribe`, { data: { appid, openid: login.openid, template_id: "tmpl-order-status" } });
  const placed = await request.post(`${baseURL}/mp/${site}/orders`, {
    headers: { authorization: `Bearer ${token}` },
    data: {
      client_order_id: "e2e-order-0001",
      lines: [{ product: "americano", variant: "", quantity: 2, unit_price: 2000 }],
      total: 4000,
      name: "Li Wei",
      phone: "138 0000 0000",
      note: "No sugar",
    },
  });
  expect(placed.status(), await placed.text()).toBe(201);
  expect((await placed.json()).test).toBe(true);

  // It arrives in the open page by itself.
  const card = page.locator('[data-order="A1001"]');
  await expect(card).toContainText("Americano × 2", { timeout: 15_000 });
  await expect(card).toContainText("No sugar");
  await expect(card).toContainText("Test");
  await expect(page.locator("#inbox-counts")).toContainText("1 new orders");
  await audit(page, "the inbox with an order");

  await card.getByRole("button", { name: "Accept" }).click();
  await expect(page.getByRole("status").filter({ hasText: "A1001: accepted" })).toBeVisible();
  await expect(page.locator('[data-order="A1001"]')).toContainText("Accepted");

  // WeChat received the message for that customer, with the merchant's keywords filled.
  await expect
    .poll(async () => {
      const { messages } = await (await request.get(`${fake}/fake/messages`)).json();
      return messages.find((m: any) => m.touser === login.openid && m.template_id === "tmpl-order-status") || null;
    }, { timeout: 15_000 })
    .toMatchObject({
      appid,
      page: "pages/orders/index",
      miniprogram_state: "trial",
      data: { character_string1: { value: "A1001" }, phrase2: { value: "Accepted" }, thing3: { value: "Americano×2" } },
    });
  // The merchant sees that it went out.
  await page.reload();
  await expect(page.locator('[data-order="A1001"]')).toContainText("customer told (accepted)");
});
