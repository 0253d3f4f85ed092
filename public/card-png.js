// The printable table card as a PNG (A6 at 300 dpi): the card's SVG drawn onto a canvas with
// this computer's own fonts (the shop's name in any script), then downloaded. Without
// JavaScript the button stays hidden and the SVG card is there to print.
for (const button of document.querySelectorAll("button[data-card-png]")) {
  button.hidden = false;
  button.addEventListener("click", async () => {
    const svg = await (await fetch(button.dataset.cardPng, { credentials: "same-origin" })).text();
    const img = new Image();
    img.src = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = 1240;
    canvas.height = 1748;
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    URL.revokeObjectURL(img.src);
    canvas.toBlob((blob) => {
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = button.dataset.name;
      document.body.append(a);
      a.click();
      a.remove();
    }, "image/png");
  });
}
