// The interactive lineage diagram: cytoscape.js with its dagre layout (layered, bottom to top:
// a model sits below what it derives from). The server sends the picture with long edges already
// split by virtual nodes, so every segment runs between adjacent layers, from the top of one box
// to the bottom of the next, and never across a box. Without JavaScript the SVG stays.
(function () {
  "use strict";
  const source = document.getElementById("lineage-data");
  const holder = document.querySelector(".diagram");
  if (!source || !holder || !window.cytoscape) return;
  const picture = JSON.parse(source.textContent);
  const box = 34;
  // Every segment ends just outside the boxes' layer (a box reaches 18.5 px from its centre with
  // its border), so a long, nearly level segment cannot clip a neighbour's corner.
  const reach = box / 2 + 2.5;

  const canvas = document.createElement("div");
  canvas.className = "cy";
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", holder.querySelector("svg").getAttribute("aria-label") + " (interactive)");
  const tip = document.createElement("div");
  tip.className = "edge-tip";
  tip.hidden = true;
  holder.classList.add("interactive");
  holder.prepend(canvas, tip);

  const cy = window.cytoscape({
    container: canvas,
    elements: picture.elements,
    minZoom: 0.15,
    maxZoom: 3,
    wheelSensitivity: 0.3,
    autoungrabify: true,
    style: [
      {
        selector: "node",
        style: {
          shape: "round-rectangle",
          width: "data(width)",
          height: "data(height)",
          label: "data(label)",
          "text-valign": "center",
          "text-halign": "center",
          "font-size": 13,
          "font-family": "system-ui, sans-serif",
          color: "#0f172a",
          "background-color": "#f8fafc",
          "border-width": 1,
          "border-color": "#475569",
        },
      },
      { selector: "node[kind='entity']", style: { "background-color": "#1e3a8a", color: "#fff", "font-weight": "bold", "border-color": "#1e3a8a" } },
      { selector: "node[kind='group']", style: { "border-style": "dashed", "background-color": "#f1f5f9" } },
      { selector: "node[href]", style: { cursor: "pointer" } },
      {
        selector: "node[kind='virtual']",
        style: { shape: "rectangle", width: 1.6, height: 2 * reach, label: "", "border-width": 0, "background-color": "data(colour)" },
      },
      {
        selector: "edge",
        style: {
          "curve-style": "straight",
          width: 1.6,
          "line-color": "data(colour)",
          "source-endpoint": "0% -50%",
          "target-endpoint": "0% 50%",
        },
      },
      { selector: "edge[?last]", style: { "target-arrow-shape": "triangle", "target-arrow-color": "data(colour)", "arrow-scale": 0.9 } },
      { selector: "edge[relation='member-of']", style: { "line-style": "dashed" } },
      { selector: "edge.hovered", style: { width: 3.5 } },
    ],
  });

  // Arrows into one box (and out of one) are spread along its edge in the order of their other
  // ends, so they neither meet in one point nor cross there.
  function spreadEnds() {
    const sides = new Map();
    cy.edges().forEach((edge) => {
      for (const [node, other, end] of [[edge.source(), edge.target(), "source"], [edge.target(), edge.source(), "target"]]) {
        if (node.data("kind") === "virtual") continue;
        const key = node.id() + "|" + end;
        if (!sides.has(key)) sides.set(key, []);
        sides.get(key).push({ edge, node, other, end });
      }
    });
    for (const ends of sides.values()) {
      ends.sort((a, b) => a.other.position("x") - b.other.position("x"));
      const width = ends[0].node.data("width");
      const span = Math.min(width * 0.7, 14 * (ends.length - 1));
      ends.forEach((end, i) => {
        const share = ends.length > 1 ? i / (ends.length - 1) : 0.5;
        const dx = -span / 2 + share * span;
        const dy = end.end === "source" ? -reach : reach;
        end.edge.style(end.end + "-endpoint", dx.toFixed(1) + "px " + dy + "px");
      });
    }
  }

  function open() {
    const entity = cy.getElementById(picture.entity);
    const whole = cy.elements().boundingBox();
    const zoom = Math.max(0.7, Math.min(1, canvas.clientWidth / (whole.w + 40)));
    const height = Math.max(240, Math.min(whole.h * zoom + 60, window.innerHeight * 0.7));
    canvas.style.height = height + "px";
    cy.resize();
    cy.zoom(zoom);
    cy.center(entity);
    // Centred on the entity across; down the page, the whole picture when it fits in the height.
    if (whole.h * zoom + 40 <= height) {
      cy.panBy({ x: 0, y: height / 2 - ((whole.y1 + whole.y2) / 2) * zoom - cy.pan().y });
    }
    canvas.dataset.ready = "true";
  }

  const layout = cy.layout({ name: "dagre", rankDir: "BT", nodeSep: 18, rankSep: 64, fit: false });
  layout.one("layoutstop", () => {
    spreadEnds();
    open();
  });
  layout.run();

  cy.on("tap", "node[href]", (event) => {
    window.location.href = event.target.data("href");
  });

  function describe(data) {
    const lines = [data.from + " → " + data.to, data.relation];
    if (data.method) lines.push("method: " + data.method);
    if (data.citation) lines.push("source: " + data.citation);
    return lines;
  }

  function show(event, lines) {
    tip.replaceChildren(
      ...lines.map((text, i) => {
        const line = document.createElement(i === 1 ? "strong" : "div");
        line.textContent = text;
        if (i === 1) line.style.color = event.target.data("colour");
        return line;
      })
    );
    const at = event.renderedPosition;
    tip.style.left = Math.min(at.x + 12, canvas.clientWidth - 260) + "px";
    tip.style.top = at.y + 12 + "px";
    tip.hidden = false;
  }

  cy.on("mouseover", "edge, node[kind='virtual']", (event) => {
    const relation = event.target.data("relation");
    cy.elements().filter((el) => el.data("relation") === relation && el.data("from") === event.target.data("from") && el.data("to") === event.target.data("to")).addClass("hovered");
    show(event, describe(event.target.data()));
  });
  cy.on("mouseover", "node[kind='group'], node[kind='model'], node[kind='entity']", (event) => {
    show(event, [event.target.data("title") || ""]);
  });
  cy.on("tap", "edge, node[kind='virtual']", (event) => show(event, describe(event.target.data()))); // touch
  cy.on("mouseout", "edge, node", () => {
    tip.hidden = true;
    cy.elements(".hovered").removeClass("hovered");
  });

  const legend = document.createElement("ul");
  legend.className = "legend";
  for (const item of picture.legend) {
    const entry = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "swatch" + (item.relation === "member-of" ? " dashed" : "");
    swatch.style.borderColor = item.colour;
    entry.append(swatch, item.relation);
    legend.append(entry);
  }
  const fitButton = document.createElement("button");
  fitButton.type = "button";
  fitButton.textContent = "Show all";
  fitButton.addEventListener("click", () => cy.fit(undefined, 20));
  const centreButton = document.createElement("button");
  centreButton.type = "button";
  centreButton.textContent = "Centre";
  centreButton.addEventListener("click", open);
  const controls = document.createElement("div");
  controls.className = "diagram-controls";
  controls.append(legend, fitButton, centreButton);
  holder.after(controls);
  window.lineageDiagram = cy; // for tests and for the curious
})();
