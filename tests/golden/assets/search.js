// Shows the search field, sends "/" to it; search-ui.js loads when it is first focused.
(() => {
  const field = document.getElementById("search-field");
  if (!field) return;
  const ui = new URL("search-ui.js", document.currentScript.src).href;
  field.parentElement.hidden = false;
  field.addEventListener("focus", () => document.head.append(
    Object.assign(document.createElement("script"), { src: ui })), { once: true });
  document.addEventListener("keydown", (e) => {
    if (e.key === "/" && !e.ctrlKey && !e.metaKey && !e.altKey &&
        !/^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName)) {
      e.preventDefault();
      field.focus();
    }
  });
})();
