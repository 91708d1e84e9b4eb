// The article page's only script, and nothing needs it: without JavaScript the copy buttons
// stay hidden (the references remain ordinary selectable text) and hints cannot be hidden
// with Escape.

// Copy buttons for the "Cite this briefing" block.
document.querySelectorAll("button.copy[data-copy]").forEach((button) => {
  const source = document.getElementById(button.dataset.copy);
  const status = document.querySelector(".copy-status");
  if (!source) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    const text = source.textContent.trim();
    try {
      await navigator.clipboard.writeText(text);
      if (status) status.textContent = "Reference copied.";
    } catch (error) {
      // No clipboard access (an old browser, or a page opened from disk): select the text
      // so that the reader can copy it with the keyboard.
      const range = document.createRange();
      range.selectNodeContents(source);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      if (status) status.textContent = "Reference selected: press Ctrl+C (or Cmd+C) to copy.";
    }
  });
});

// Glossary hints show on hover and focus with CSS alone; Escape hides them until the
// pointer or the focus moves on (WCAG 1.4.13: content on hover must be dismissible).
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  document.querySelectorAll(".gl").forEach((hint) => hint.classList.add("tip-off"));
});
for (const type of ["focusin", "mouseover"]) {
  document.addEventListener(type, (event) => {
    document.querySelectorAll(".gl.tip-off").forEach((hint) => {
      if (!hint.contains(event.target)) hint.classList.remove("tip-off");
    });
  });
}
