const { starter, build, stubWx, open, text, tap } = require("./harness.js");

const settle = () => new Promise((r) => setTimeout(r, 20));

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

// The shop's server: two free times on any day, one of them Mei's.
function server(o) {
  if (o.url.includes("/availability")) {
    const mei = o.url.includes("staff=mei");
    return { statusCode: 200, data: { slots: mei ? [{ time: "15:30", capacity: 1 }] : [{ time: "10:00", capacity: 2 }, { time: "15:30", capacity: 1 }] } };
  }
  if (o.url.endsWith("/config")) return { statusCode: 200, data: { templates: { booking: "tmpl-booking" } } };
  return { statusCode: 201, data: { booking_id: "B7", staff_name: "Mei Lin" } };
}

test("the times shown are the ones the availability endpoint returns, for anyone or one person", async () => {
  const calls = stubWx(server);
  const home = open(pkg, "home");
  await tap(home.querySelector(".btn-small")); // "Book" on the first service
  expect(calls.navigate).toEqual(["/pages/booking/index?service=cut"]);

  const flow = open(pkg, "booking", { service: "cut" });
  expect(text(flow)).toContain("Choose a day");
  const dayIso = flow.instance.data.dates[0].iso;
  await tap(flow.querySelector(".chip"));
  await settle();
  expect(text(flow)).toContain("Choose a time");
  const asked = calls.requests.filter((r) => r.url.includes("/availability")).map((r) => r.url);
  expect(asked).toEqual([`https://api.bamboo.example/availability?service=cut&date=${dayIso}`]);
  const times = () => flow.querySelectorAll(".time-chip").map((c) => c.dom.textContent.trim());
  expect(times()).toEqual(["10:00", "15:30"]);
  // Mei and Jun both cut: the customer may pick one of them.
  const staff = flow.querySelectorAll(".staff-chip").map((c) => c.dom.textContent.trim());
  expect(staff).toEqual(["Anyone", "Mei Lin", "Jun Wang"]);
  await tap(flow.querySelectorAll(".staff-chip")[1]);
  await settle();
  expect(times()).toEqual(["15:30"]);
  await tap(flow.querySelector(".time-chip"));
  flow.instance.onName({ detail: { value: "Li Wei" } });
  flow.instance.onPhone({ detail: { value: "13800000000" } });
  await tap(flow.querySelector(".btn-primary"));
  await settle();
  expect(calls.subscribed).toEqual([["tmpl-booking"]]); // asked to accept the confirmation message
  const booked = calls.requests.filter((r) => r.method === "POST");
  expect(booked).toEqual([
    {
      url: "https://api.bamboo.example/bookings",
      method: "POST",
      data: { service: "cut", date: dayIso, time: "15:30", name: "Li Wei", phone: "13800000000", staff: "mei" },
    },
  ]);
  expect(text(flow)).toContain("Booked!");
  expect(text(flow)).toContain("B7");
});

test("a time taken meanwhile is said, and the day's times are asked again", async () => {
  let taken = false;
  const calls = stubWx((o) => {
    if (o.method === "POST") {
      taken = true;
      return { statusCode: 409, data: { error: { code: "slot_taken", message: "That time was just booked. Please pick another." } } };
    }
    if (o.url.includes("/availability")) {
      return { statusCode: 200, data: { slots: taken ? [{ time: "11:00", capacity: 1 }] : [{ time: "10:00", capacity: 1 }] } };
    }
    return { statusCode: 200, data: {} };
  });
  const flow = open(pkg, "booking", { service: "care" });
  await tap(flow.querySelector(".chip"));
  await settle();
  await tap(flow.querySelector(".time-chip"));
  flow.instance.onName({ detail: { value: "Ann" } });
  flow.instance.onPhone({ detail: { value: "13800000000" } });
  await tap(flow.querySelector(".btn-primary"));
  await settle();
  expect(calls.toast).toContain("That time was just booked. Please pick another.");
  expect(flow.querySelectorAll(".time-chip").map((c) => c.dom.textContent.trim())).toEqual(["11:00"]);
});

test("a network failure is shown, never silent", async () => {
  const calls = stubWx(() => ({ networkError: true }));
  const flow = open(pkg, "booking", { service: "care" });
  await tap(flow.querySelector(".chip"));
  await settle();
  expect(calls.toast).toContain("Network error, please try again");
  expect(text(flow)).toContain("No free times that day");
});
