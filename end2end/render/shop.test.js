const { starter, build, stubWx, open, text, tap } = require("./harness.js");

const posts = (calls) => calls.requests.filter((r) => r.method === "POST");
const settle = () => new Promise((r) => setTimeout(r, 20));

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

  // Contact details are asked for first.
  await tap(cart.querySelector(".btn-primary"));
  expect(calls.toast).toContain("Please enter your name");
  expect(posts(calls)).toEqual([]);
  cart.instance.onName({ detail: { value: "Li Wei" } });
  cart.instance.onPhone({ detail: { value: "13800000000" } });
  await tap(cart.querySelector(".btn-primary"));
  await settle();
  const sent = posts(calls);
  expect(sent).toHaveLength(1);
  expect(sent[0].url).toBe("https://api.lotus.example/orders");
  expect(sent[0].data).toEqual({
    client_order_id: expect.stringMatching(/^[a-z0-9-]{8,64}$/),
    lines: [{ product: "oat-latte", variant: "Large / Hot", quantity: 3, unit_price: 3200 }],
    total: 9600,
    name: "Li Wei",
    phone: "13800000000",
    mode: "pickup",
    note: "",
  });
  expect(calls.modal[0].title).toBe("Order placed");
});

test("an order whose answer was lost is sent again with the same id", async () => {
  let fail = true;
  const calls = stubWx((o) => (o.method === "POST" && fail ? { networkError: true } : { statusCode: 201, data: { order_id: "A1001" } }));
  const detail = open(pkg, "product", { id: "americano" });
  await tap(detail.querySelector(".btn-primary"));
  const cart = open(pkg, "cart");
  cart.instance.onName({ detail: { value: "Ann" } });
  cart.instance.onPhone({ detail: { value: "13800000000" } });
  await tap(cart.querySelector(".btn-primary"));
  await settle();
  expect(calls.toast).toContain("Network error, please try again");
  fail = false;
  await tap(cart.querySelector(".btn-primary"));
  await settle();
  const [first, second] = posts(calls);
  expect(second.data.client_order_id).toBe(first.data.client_order_id);
  expect(calls.modal[0].content).toBe("A1001");
});

test("a refused order shows the server's message and the cart takes its prices", async () => {
  const calls = stubWx((o) =>
    o.method === "POST"
      ? {
          statusCode: 409,
          data: {
            error: {
              code: "price_changed",
              message: "Prices changed, please check",
              lines: [{ product: "americano", name: "Americano", variant: "", quantity: 1, unit_price: 2200 }],
              total: 2200,
            },
          },
        }
      : { statusCode: 200, data: {} },
  );
  const detail = open(pkg, "product", { id: "americano" });
  await tap(detail.querySelector(".btn-primary"));
  const cart = open(pkg, "cart");
  cart.instance.onName({ detail: { value: "Ann" } });
  cart.instance.onPhone({ detail: { value: "13800000000" } });
  await tap(cart.querySelector(".btn-primary"));
  await settle();
  expect(calls.toast).toContain("Prices changed, please check");
  expect(text(cart)).toContain("Americano"); // the cart is kept
  expect(text(cart)).toContain("¥22.00"); // at the server's price
});

test("My orders lists the signed-in customer's orders", async () => {
  const orders = [
    { id: "o-1", order_id: "A1002", status: "received", total: 6400, created_at: "2026-12-01T10:05:00Z", test: false,
      lines: [{ product: "oat-latte", name: "Oat Latte", variant: "Large / Hot", quantity: 2, unit_price: 3200 }] },
    { id: "o-0", order_id: "A1001", status: "completed", total: 2000, created_at: "2026-11-30T09:00:00Z", test: false,
      lines: [{ product: "americano", name: "Americano", variant: "", quantity: 1, unit_price: 2000 }] },
  ];
  const calls = stubWx(
    (o) => {
      if (o.url.endsWith("/session")) return { statusCode: 200, data: { token: "tok-1", expires_at: 4102444800 } };
      if (o.url.endsWith("/orders") && o.method === "GET") return { statusCode: 200, data: { orders } };
      return { statusCode: 404, data: {} };
    },
    { code: "code-1" },
  );
  const page = open(pkg, "orders");
  await settle();
  expect(calls.requests.map((r) => r.method + " " + r.url.replace("https://api.lotus.example", ""))).toEqual([
    "POST /session",
    "GET /orders",
  ]);
  expect(calls.requests[0].data).toEqual({ code: "code-1" });
  expect(calls.headers[1].Authorization).toBe("Bearer tok-1");
  const shown = text(page);
  expect(shown).toContain("A1002");
  expect(shown).toContain("Received");
  expect(shown).toContain("Oat Latte (Large / Hot) × 2");
  expect(shown).toContain("¥64.00");
  expect(shown).toContain("A1001");
  expect(shown).toContain("Completed");
  expect(page.querySelectorAll(".cancel")).toHaveLength(1); // only the one still received
});
