// Copy buttons for the "Cite this briefing" block. Without JavaScript the buttons stay
// hidden and the references remain ordinary selectable text.
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
