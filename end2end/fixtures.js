// Sites shared by the checker and render tests.

/** The text no merchant field may turn into markup, a binding or code. */
const EVIL = '</view><script>alert(1)</script>{{x}} " \' <image src="x"/> \u2028 🍵';

/** Hostile merchant text put into a shop starter `site`, with `cjk` characters of long Chinese. */
function hostile(site, cjk = 1500) {
  site.name = "</view>{{n}}\"";
  site.data.products[0].name = EVIL.slice(0, 60);
  site.data.products[1].description = EVIL + "长".repeat(cjk);
  site.data.contact.wechat = "{{wx}}";
  site.pages[0].blocks[1].text = EVIL;
  return site;
}

module.exports = { EVIL, hostile };
