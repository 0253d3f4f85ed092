// A site's H5 version (/s/SITE): the tabs, buttons and banners that open another page of the
// mini program open that page's own address here.
const site = document.body.dataset.site;
document.addEventListener("click", (e) => {
  const target = e.target.closest("[data-mpf-page], [data-page]");
  if (!target || !site) return;
  const page = target.dataset.mpfPage || target.dataset.page;
  if (page) window.location.href = "/s/" + encodeURIComponent(site) + "/" + encodeURIComponent(page);
});
for (const el of document.querySelectorAll("[data-mpf-page], [data-page]")) el.style.cursor = "pointer";
