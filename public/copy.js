// "Copy" buttons for one-time passwords: a button with data-copy="ID" copies the value of the
// field ID. Without JavaScript the buttons stay hidden and the field can be selected by hand.
for (const button of document.querySelectorAll("button[data-copy]")) {
  button.hidden = false;
  button.addEventListener("click", async () => {
    const field = document.getElementById(button.dataset.copy);
    if (!field) return;
    try {
      await navigator.clipboard.writeText(field.value);
    } catch {
      field.select();
      document.execCommand("copy");
    }
    button.textContent = button.dataset.copied;
  });
}
