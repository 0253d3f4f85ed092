const { starter, build, stubWx, open, text, tap } = require("./harness.js");

test("the info site shows its story, hours and contact in Chinese", () => {
  stubWx();
  const pkg = build(starter("info", "zh"));
  const home = text(open(pkg, "home"));
  expect(home).toContain("家门口的家庭医生");
  expect(home).toContain("营业时间");
  expect(home).toContain("08:30 – 17:30");
  expect(home).toContain("休息"); // Sunday
  expect(home).toContain("021-5555 0399");
});

test("hostile text renders as text", () => {
  stubWx();
  const site = starter("info", "en");
  site.pages[0].blocks[2].paragraphs = ['</view><button>x</button>{{title}} <script>alert(1)</script>'];
  const home = open(build(site), "home");
  expect(text(home)).toContain("</view><button>x</button>{{title}} <script>alert(1)</script>");
  // In the DOM it is escaped text, never elements.
  expect(home.dom.innerHTML).toContain("&lt;/view&gt;&lt;button&gt;x&lt;/button&gt;");
  expect(home.dom.innerHTML).not.toContain("<button>x</button>");
  expect(home.dom.innerHTML).not.toContain("<script>");
});

test("the link button opens a tab page with switchTab", async () => {
  const calls = stubWx();
  const site = starter("info", "en");
  site.pages[0].blocks.push({ id: "go", kind: "link_button", label: "How to find us", page: "visit" });
  const home = open(build(site), "home");
  const buttons = home.querySelectorAll(".btn");
  await tap(buttons[buttons.length - 1]);
  expect(calls.navigate).toEqual(["/pages/visit/index"]);
});
