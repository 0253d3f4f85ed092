// The merchant's inbox: every 3 seconds asks whether anything changed (the inbox's stamp) and,
// when it did, brings the new state in without a reload: the page is fetched again and its
// inbox swapped in. While the merchant is typing in it (a cancel reason, the rules), nothing
// is swapped: a notice offers to show what is new instead. Without JavaScript a reload shows
// the same.
(() => {
  const inbox = document.getElementById("inbox");
  if (!inbox) return;
  const fresh = document.getElementById("inbox-fresh");
  const counts = document.getElementById("inbox-counts");
  const title = document.title;
  let stamp = inbox.dataset.stamp;
  const busy = () => {
    const active = document.activeElement;
    if (active && inbox.contains(active) && active.matches("input, textarea, select")) return true;
    return [...inbox.querySelectorAll("details[open]")].length > 0;
  };
  const swap = async () => {
    const res = await fetch(location.href, { headers: { accept: "text/html" }, cache: "no-store" });
    if (!res.ok) return false;
    const page = new DOMParser().parseFromString(await res.text(), "text/html");
    const next = page.getElementById("inbox");
    if (!next) return false;
    inbox.innerHTML = next.innerHTML;
    inbox.dataset.stamp = next.dataset.stamp;
    const nextCounts = page.getElementById("inbox-counts");
    if (counts && nextCounts) counts.textContent = nextCounts.textContent;
    // New orders waiting show in the tab's title.
    const waiting = Number(next.dataset.waiting || 0);
    document.title = waiting > 0 ? `(${waiting}) ${title}` : title;
    return true;
  };
  const poll = async () => {
    try {
      const res = await fetch(`/merchants/${inbox.dataset.merchant}/inbox/stamp`, {
        headers: { accept: "application/json" },
        cache: "no-store",
      });
      if (res.ok) {
        const now = await res.json();
        if (now.stamp !== stamp) {
          if (busy()) {
            fresh.hidden = false;
          } else if (await swap()) {
            stamp = now.stamp;
            fresh.hidden = true;
          }
        }
      }
    } catch {
      // Offline for a moment: try again.
    }
    setTimeout(poll, 3000);
  };
  setTimeout(poll, 3000);
})();
