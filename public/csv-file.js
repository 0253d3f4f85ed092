// The merchant import: a chosen CSV file is read into the form's text box (without
// JavaScript the file picker stays hidden and the CSV is pasted).
for (const input of document.querySelectorAll("input[type=file][data-into]")) {
  const field = input.closest(".field");
  if (field) field.hidden = false;
  input.addEventListener("change", async () => {
    const file = input.files && input.files[0];
    const target = document.getElementById(input.dataset.into);
    if (file && target) target.value = await file.text();
  });
}
