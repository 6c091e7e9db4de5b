// Suggestions of names and aliases as the user types, for the search box and every name box of
// the canned-query forms (the forms work without this script).
(function () {
  "use strict";
  let pending = null;

  async function suggest(box) {
    const list = document.getElementById(box.getAttribute("list"));
    const text = box.value.trim();
    if (!list || text.length < 2) return;
    const response = await fetch("/search?format=json&q=" + encodeURIComponent(text));
    if (!response.ok) return;
    const hits = await response.json();
    list.replaceChildren(
      ...hits.map((hit) => {
        const option = document.createElement("option");
        option.value = hit.name;
        option.label = hit.class;
        return option;
      })
    );
  }

  document.addEventListener("input", (event) => {
    const box = event.target;
    if (!box.matches || !box.matches("input[data-suggest]")) return;
    clearTimeout(pending);
    pending = setTimeout(() => suggest(box), 150);
  });

  const box = document.getElementById("search-box");
  if (!box) return;
  box.form.addEventListener("submit", (event) => {
    const list = document.getElementById(box.getAttribute("list"));
    const match = Array.from(list.options).find((o) => o.value === box.value);
    if (!match) return;
    // An exact pick from the suggestions goes straight to its page.
    event.preventDefault();
    fetch("/search?format=json&q=" + encodeURIComponent(box.value))
      .then((r) => r.json())
      .then((hits) => (window.location.href = hits.length ? hits[0].href : box.form.action));
  });
})();
