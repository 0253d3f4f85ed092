// A bulk action's page: asks the server for the job every second and updates the progress
// bar, the summary and each site's row in place, until every site has ended. Without
// JavaScript the page shows the same when reloaded.
(() => {
  const card = document.getElementById("job");
  if (!card || card.dataset.final === "true") return;
  const labels = JSON.parse(card.dataset.labels || "{}");
  const bar = document.getElementById("job-bar");
  const summary = document.getElementById("job-summary");
  const render = (job) => {
    const ended = job.done + job.failed + job.cancelled;
    bar.max = job.total;
    bar.value = ended;
    summary.textContent = card.dataset.summary
      .replace("{done}", job.done)
      .replace("{failed}", job.failed)
      .replace("{cancelled}", job.cancelled)
      .replace("{total}", job.total);
    for (const item of job.items) {
      const row = card.querySelector(`tr[data-site="${item.site_id}"]`);
      if (!row) continue;
      const state = row.querySelector(".item-state");
      state.dataset.state = item.state;
      state.textContent = labels[item.state] || item.state;
      row.querySelector(".item-attempts").textContent = item.attempts;
      row.querySelector(".item-result").textContent = item.result || "";
      row.querySelector(".item-error").textContent =
        (item.error || "") + (item.errcode != null ? ` (${item.errcode})` : "");
    }
    return job.state === "done" || job.state === "cancelled";
  };
  const poll = async () => {
    try {
      const res = await fetch(`/api/agency/jobs/${card.dataset.job}`, {
        headers: { accept: "application/json" },
      });
      if (res.ok && render(await res.json())) {
        card.dataset.final = "true";
        // The Cancel button no longer applies.
        for (const f of document.querySelectorAll('form[action$="/cancel"]')) f.remove();
        return;
      }
    } catch {
      // Offline for a moment: try again.
    }
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 1000);
})();
