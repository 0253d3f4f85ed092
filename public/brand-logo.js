// The agency's logo: the chosen picture is sent as it is (with the anti-CSRF header), the
// server keeps a checked, re-encoded copy, and the page reloads to show it.
(() => {
  const input = document.getElementById("b-logo");
  if (!input) return;
  document.getElementById("logo-field").hidden = false;
  const status = document.getElementById("logo-status");
  input.addEventListener("change", async () => {
    const file = input.files && input.files[0];
    if (!file) return;
    status.textContent = "…";
    const res = await fetch("/agency/brand/logo", {
      method: "POST",
      headers: { "x-csrf-token": input.dataset.csrf, "content-type": file.type || "application/octet-stream" },
      body: file,
    });
    if (res.ok) {
      location.reload();
    } else {
      const body = await res.json().catch(() => null);
      status.textContent = (body && body.Invalid && body.Invalid.message) || String(res.status);
    }
  });
})();
