const { starter, build, stubWx, open, text, tap } = require("./harness.js");

const site = starter("shop", "en");
site.api_base = "https://api.lotus.example";
const pkg = build(site);

test("the home page shows the merchant's texts and prices", () => {
  stubWx();
  const home = text(open(pkg, "home"));
  expect(home).toContain("Slow coffee, warm bread");
  expect(home).toContain("Free delivery within 3 km");
  expect(home).toContain("Oat Latte");
  expect(home).toContain("¥28.00");
  expect(home).toContain("Sold out"); // the pistachio croissant has no stock
});

test("tapping a product opens its detail page", async () => {
  const calls = stubWx();
  const home = open(pkg, "home");
  await tap(home.querySelector(".product-card"));
  expect(calls.navigate).toEqual(["/pages/product/index?id=oat-latte"]);
});

test("choosing options changes the price, and adding to the cart updates the total", async () => {
  const calls = stubWx();
  const detail = open(pkg, "product", { id: "oat-latte" });
  expect(text(detail)).toContain("¥28.00");
  const chip = (label) => detail.querySelectorAll(".chip").find((c) => c.dom.textContent.trim() === label);
  await tap(chip("Large"));
  expect(text(detail)).toContain("¥32.00");
  await tap(chip("Iced")); // large iced is out of stock
  expect(text(detail)).toContain("Sold out");
  await tap(chip("Hot"));
  await tap(detail.querySelectorAll(".step")[1]); // quantity 2
  await tap(detail.querySelector(".btn-primary"));
  expect(calls.toast).toContain("Added");

  const cart = open(pkg, "cart");
  expect(text(cart)).toContain("Oat Latte");
  expect(text(cart)).toContain("Large / Hot");
  expect(text(cart)).toContain("¥64.00");
  await tap(cart.querySelectorAll(".step")[1]);
  expect(text(cart)).toContain("¥96.00");

  await tap(cart.querySelector(".btn-primary"));
  expect(calls.requests).toEqual([
    {
      url: "https://api.lotus.example/orders",
      method: "POST",
      data: { lines: [{ product: "oat-latte", variant: "Large / Hot", quantity: 3, unit_price: 3200 }], total: 9600 },
    },
  ]);
});

test("a refused order shows the merchant API's message", async () => {
  const calls = stubWx(() => ({ statusCode: 409, data: { error: { code: "price_changed", message: "Prices changed, please check" } } }));
  const detail = open(pkg, "product", { id: "americano" });
  await tap(detail.querySelector(".btn-primary"));
  const cart = open(pkg, "cart");
  await tap(cart.querySelector(".btn-primary"));
  expect(calls.toast).toContain("Prices changed, please check");
  expect(text(cart)).toContain("Americano"); // the cart is kept
});
