// The home page's SPARQL editor: YASGUI bound to this server's endpoint, and the canned queries.
// A canned query with parameters opens a form (a name box suggests names and aliases); only its
// text with every required parameter bound, from /canned/NAME, ever reaches the editor, so it
// never runs unbound. IRIs of this graph in the results link to this server's own pages.
(function () {
  "use strict";
  const canned = JSON.parse(document.getElementById("canned-data").textContent);
  const byName = Object.fromEntries(canned.map((query) => [query.name, query]));
  const home = document.querySelector(".workspace");
  const base = home.dataset.base; // the graph's IRIs start with this
  // The graphs the reports read (curated and Hub claims, where a Hub import is there), so
  // that a canned query here answers what the command line answers.
  const graphs = JSON.parse(home.dataset.graphs || "[]");
  const endpoint = window.location.origin + "/sparql";
  const form = document.getElementById("canned-form");
  // the query the form is for, kept here: a form's own properties (form.dataset, form.name)
  // give way to its fields of that name, and a parameter may be called "dataset"
  let formQuery = null;
  let yasgui = null;

  if (window.Yasgui) {
    // The results table renders (and sanitises) every cell of every row to guess each column's
    // type and width: 10 s for 4,469 rows. Told both, it renders only the page shown.
    const table = window.Yasgui.Yasr.plugins.table;
    table.defaults.tableConfig.columnDefs = [{ targets: "_all", type: "string" }];
    table.defaults.tableConfig.autoWidth = false;
    yasgui = new window.Yasgui(document.getElementById("yasgui"), {
      // as plain arguments: YASGUI 4.6.2 sends its defaultGraphs setting under the wrong key
      requestConfig: {
        endpoint: endpoint,
        method: "POST",
        args: graphs.map((graph) => ({ name: "default-graph-uri", value: graph })),
      },
      copyEndpointOnNewTab: false,
      persistenceId: null, // a fresh editor on every visit: no stale tabs from old builds
      populateFromUrl: true,
      // Only local completions: the remote ones would call prefix.cc and LOV.
      yasqe: { autocompleters: ["variables"], prefixCcApi: null },
      endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
    });
    localLinks(document.getElementById("yasgui"));
    yasgui.on("query", (_, tab) => watch(tab.getYasqe()));
  }

  // LATERAL (a SPARQL 1.2 draft, which Oxigraph runs and nine canned queries use) is not in
  // the editor's SPARQL 1.1 grammar: a query using it is not marked as wrong; any other is.
  const watched = new WeakSet();
  function checkUnlessLateral(yasqe) {
    const lateral = /\bLATERAL\b/.test(yasqe.getValue());
    if (yasqe.config.syntaxErrorCheck === lateral) yasqe.setCheckSyntaxErrors(!lateral);
  }
  function watch(yasqe) {
    if (watched.has(yasqe)) return;
    watched.add(yasqe);
    yasqe.on("change", () => checkUnlessLateral(yasqe));
    yasqe.on("queryResponse", (_, response) => sayIfCut(response));
    checkUnlessLateral(yasqe);
  }

  // An answer cut at the server's row cap says so in a header; the results table would show
  // the rows it has as if they were all.
  const cut = document.getElementById("cut-notice");
  function sayIfCut(response) {
    const headers = response && response.headers;
    const cap = headers && headers.get("X-SPARQL-Truncated") && headers.get("X-SPARQL-Row-Limit");
    cut.hidden = !cap;
    if (cap) {
      cut.textContent =
        "Only the first " + Number(cap).toLocaleString("en") + " rows are shown: this server " +
        "cuts every answer there. Add LIMIT and OFFSET to read the rest a page at a time, or " +
        "run the report on the command line, which has no cap.";
    }
  }

  function setQuery(text, title, run) {
    if (yasgui) {
      const tab = yasgui.getTab();
      watch(tab.getYasqe());
      tab.setQuery(text);
      if (title) tab.setName(title);
      if (run) tab.getYasqe().query().catch(() => {});
    } else {
      document.getElementById("plain-query").value = text;
      if (run) document.querySelector("form.plain-query").requestSubmit();
    }
  }

  // Result links to IRIs of this graph open this server's page for them, not w3id.org.
  function localLinks(root) {
    const rewrite = () => {
      for (const link of root.querySelectorAll("a[href^='" + base + "']")) {
        link.href = "/" + link.getAttribute("href").slice(base.length);
        link.removeAttribute("target");
        link.classList.add("here");
      }
    };
    new MutationObserver(rewrite).observe(root, { childList: true, subtree: true });
    // The results table swallows clicks on its links; follow ours before it sees them.
    root.addEventListener(
      "click",
      (event) => {
        const link = event.target.closest && event.target.closest("a.here");
        if (!link || event.button !== 0) return;
        event.preventDefault();
        event.stopPropagation();
        if (event.ctrlKey || event.metaKey || event.shiftKey) window.open(link.href, "_blank");
        else window.location.assign(link.href);
      },
      true
    );
  }

  function field(param) {
    const label = document.createElement("label");
    label.className = "param";
    const name = document.createElement("span");
    name.textContent = param.name + (param.optional ? " (optional)" : "");
    const input = document.createElement("input");
    input.name = param.name;
    input.required = !param.optional;
    input.autocomplete = "off";
    input.title = param.description;
    input.placeholder = param.type === "entity" ? "a name, id or alias" : param.type === "date" ? "YYYY[-MM[-DD]]" : param.type;
    if (param.type === "entity") {
      input.setAttribute("list", "name-suggestions");
      input.dataset.suggest = "";
    }
    if (param.type === "integer") input.type = "number";
    const help = document.createElement("small");
    help.textContent = param.description.replace("(optional)", "").trim();
    label.append(name, input, help);
    return label;
  }

  function openForm(query, values) {
    form.replaceChildren();
    const heading = document.createElement("h2");
    heading.textContent = query.title;
    const about = document.createElement("p");
    about.className = "hint";
    about.textContent = query.description;
    form.append(heading, about, ...query.params.map(field));
    for (const [key, value] of Object.entries(values || {})) form.elements[key].value = value;
    const run = document.createElement("button");
    run.type = "submit";
    run.textContent = "Run";
    const problem = document.createElement("p");
    problem.className = "problem";
    problem.setAttribute("role", "alert");
    form.append(run, problem);
    formQuery = query.name;
    form.hidden = false;
  }

  async function bound(run) {
    const query = byName[formQuery];
    const params = new URLSearchParams();
    for (const param of query.params) {
      const value = form.elements[param.name].value.trim();
      if (value) params.set(param.name, value);
    }
    const answer = await fetch("/canned/" + encodeURIComponent(query.name) + "?" + params);
    const body = await answer.json();
    form.querySelector(".problem").textContent = answer.ok ? "" : body.error;
    if (answer.ok) setQuery(body.query, query.title, run);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    bound(true);
  });

  function choose(button) {
    const query = byName[button.dataset.name];
    for (const other of document.querySelectorAll("button.canned-query.active")) other.classList.remove("active");
    button.classList.add("active");
    if (query.params.length) {
      openForm(query);
      form.querySelector("input").focus();
      if (window.innerWidth < 900) form.scrollIntoView({ block: "start" }); // the list is above it
    } else {
      form.hidden = true;
      setQuery(query.text, query.title, false);
    }
  }

  for (const button of document.querySelectorAll("button.canned-query")) {
    button.addEventListener("click", () => choose(button));
  }

  // ?form=NAME opens that canned query's form (?form=NAME&PARAM=VALUE… fills it in and runs it
  // when every required parameter is there); else a first example, bound and ready to run.
  const asked = new URLSearchParams(window.location.search);
  const wanted = byName[asked.get("form")];
  if (wanted) {
    choose(document.querySelector("button.canned-query[data-name='" + wanted.name + "']"));
    for (const param of wanted.params) {
      if (asked.has(param.name) && form.elements[param.name]) form.elements[param.name].value = asked.get(param.name);
    }
    if (wanted.params.length && wanted.params.every((p) => p.optional || asked.get(p.name))) bound(true);
  } else if (byName["descendants"] && !asked.has("query")) {
    document.querySelector("button.canned-query[data-name='descendants']").classList.add("active");
    openForm(byName["descendants"], { root: "LLaMA" });
    bound(false).then(() => window.scrollTo(0, 0)); // the editor takes the focus; stay at the top
  }
})();
