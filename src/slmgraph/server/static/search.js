// Suggestions for the search box as the user types (the form works without this script).
(function () {
  "use strict";
  const box = document.getElementById("search-box");
  const list = document.getElementById("search-suggestions");
  if (!box || !list) return;
  let pending = null;
  box.addEventListener("input", () => {
    clearTimeout(pending);
    const text = box.value.trim();
    if (text.length < 2) return;
    pending = setTimeout(async () => {
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
    }, 150);
  });
  box.form.addEventListener("submit", (event) => {
    const match = Array.from(list.options).find((o) => o.value === box.value);
    if (!match) return;
    // An exact pick from the suggestions goes straight to its page.
    event.preventDefault();
    fetch("/search?format=json&q=" + encodeURIComponent(box.value))
      .then((r) => r.json())
      .then((hits) => (window.location.href = hits.length ? hits[0].href : box.form.action));
  });
})();
