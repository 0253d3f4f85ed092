const { starter, build, stubWx, open, text, tap } = require("./harness.js");

const site = starter("booking", "en");
site.api_base = "https://api.bamboo.example";
const pkg = build(site);

test("the home page lists the services with duration and price", () => {
  stubWx();
  const home = text(open(pkg, "home"));
  expect(home).toContain("Good hair days");
  expect(home).toContain("Cut & style");
  expect(home).toContain("60 min · ¥188.00");
});

test("service, day, time and contact details book with the right JSON", async () => {
  const calls = stubWx(() => ({ statusCode: 201, data: { booking_id: "B7" } }));
  const home = open(pkg, "home");
  await tap(home.querySelector(".btn-small")); // "Book" on the first service
  expect(calls.navigate).toEqual(["/pages/booking/index?service=cut"]);

  const flow = open(pkg, "booking", { service: "cut" });
  expect(text(flow)).toContain("Choose a day");
  const day = flow.querySelector(".chip");
  const dayIso = flow.instance.data.dates[0].iso;
  await tap(day);
  expect(text(flow)).toContain("Choose a time");
  const slots = flow.instance.data.slots;
  expect(slots[0]).toBe("10:00");
  expect(slots[slots.length - 1] <= "19:00").toBe(true); // a 60-minute cut ends by closing
  await tap(flow.querySelector(".chip"));
  flow.instance.onName({ detail: { value: "Li Wei" } });
  flow.instance.onPhone({ detail: { value: "13800000000" } });
  await tap(flow.querySelector(".btn-primary"));
  await new Promise((r) => setTimeout(r, 10));
  expect(calls.requests).toEqual([
    {
      url: "https://api.bamboo.example/bookings",
      method: "POST",
      data: { service: "cut", date: dayIso, time: "10:00", name: "Li Wei", phone: "13800000000" },
    },
  ]);
  expect(text(flow)).toContain("Booked!");
});

test("a network failure is shown, never silent", async () => {
  const calls = stubWx(() => ({ networkError: true }));
  const flow = open(pkg, "booking", { service: "care" });
  await tap(flow.querySelector(".chip"));
  await tap(flow.querySelector(".chip"));
  flow.instance.onName({ detail: { value: "Ann" } });
  flow.instance.onPhone({ detail: { value: "13800000000" } });
  await tap(flow.querySelector(".btn-primary"));
  await new Promise((r) => setTimeout(r, 10));
  expect(calls.toast).toContain("Network error, please try again");
});
