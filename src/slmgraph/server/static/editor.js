// The home page's SPARQL editor: YASGUI bound to this server's endpoint, plus the canned queries.
(function () {
  "use strict";
  const canned = JSON.parse(document.getElementById("canned-data").textContent);
  const byName = Object.fromEntries(canned.map((query) => [query.name, query]));
  const endpoint = window.location.origin + "/sparql";
  let yasgui = null;

  if (window.Yasgui) {
    yasgui = new window.Yasgui(document.getElementById("yasgui"), {
      requestConfig: { endpoint: endpoint, method: "POST" },
      copyEndpointOnNewTab: false,
      persistenceId: null, // a fresh editor on every visit: no stale tabs from old builds
      populateFromUrl: true,
      // Only local completions: the remote ones would call prefix.cc and LOV.
      yasqe: { autocompleters: ["variables"], prefixCcApi: null },
      endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
    });
    const first = byName["descendants"] || canned[0];
    if (first) yasgui.getTab().setQuery(first.text);
  }

  for (const button of document.querySelectorAll("button.canned-query")) {
    button.addEventListener("click", () => {
      const query = byName[button.dataset.name];
      if (yasgui) {
        const tab = yasgui.getTab();
        tab.setQuery(query.text);
        tab.setName(query.title);
      } else {
        document.getElementById("plain-query").value = query.text;
      }
      for (const other of document.querySelectorAll("button.canned-query.active")) {
        other.classList.remove("active");
      }
      button.classList.add("active");
    });
  }
})();
