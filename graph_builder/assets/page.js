/* customs-kg viz page: cytoscape.js view of one network, with a legend, a
 * search box, entity cards and (membership, chairs) a date control that
 * applies the three-valued rule of graph_builder/temporal.py. */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("ckg-data").textContent);

  var T = window.ckgTemporal, parseDate = T.parseDate, holds = T.holds, membershipAt = T.membershipAt;

  // --- Styles ---------------------------------------------------------------
  var style = [
    { selector: "node", style: {
      "label": "data(label)", "text-wrap": "wrap", "text-max-width": 140, "font-size": 11,
      "font-family": "DejaVu Sans, Noto Sans, Arial, sans-serif", "text-valign": "bottom", "text-margin-y": 4,
      "width": 28, "height": 28, "background-color": "#999", "border-width": 1, "border-color": "#333",
      "shape": "round-rectangle" } },
    { selector: "edge", style: {
      "curve-style": "bezier", "target-arrow-shape": "triangle", "width": 2, "line-color": "#999",
      "target-arrow-color": "#999", "label": "data(label)", "font-size": 8, "text-rotation": "autorotate",
      "color": "#333", "text-background-color": "#fff", "text-background-opacity": 0.7 } },
    { selector: "node[role = 'axis']", style: { "shape": "rectangle", "width": 1, "height": 1, "background-opacity": 0,
      "border-width": 0, "font-size": 14, "text-valign": "top", "events": "no" } },
    { selector: "node[role = 'term']", style: { "shape": "rectangle", "width": "data(width)", "height": 30,
      "text-valign": "center", "text-margin-y": 0, "text-max-width": 600, "font-size": 11 } },
    { selector: "node[role = 'term'][?open]", style: { "border-style": "dashed", "border-width": 2 } },
    { selector: "node[role = 'row']", style: { "shape": "round-rectangle", "width": 30, "height": 30,
      "text-valign": "center", "text-halign": "left", "text-margin-x": -8, "text-max-width": 220 } },
    { selector: "node[role = 'meeting']", style: { "text-max-width": 200, "font-size": 10 } },
    { selector: ".uncertain", style: { "line-style": "dashed", "opacity": 0.55, "border-style": "dashed" } },
    { selector: ".hidden", style: { "display": "none" } },
    { selector: ".faded", style: { "opacity": 0.15 } },
    { selector: ".match", style: { "border-width": 5, "border-color": "#ffbf00" } },
    { selector: ":selected", style: { "border-width": 5, "border-color": "#000" } }
  ];
  window.ckgNodeKindStyles(DATA).forEach(function (s) { style.splice(2, 0, s); });
  Object.keys(DATA.edgeStyles).forEach(function (r) {
    var e = DATA.edgeStyles[r];
    style.splice(2, 0, { selector: "edge[relation = '" + r + "']", style: {
      "line-color": e.color, "target-arrow-color": e.color, "line-style": e.style, "width": e.width } });
    style.splice(style.length - 5, 0, { selector: "node[relation = '" + r + "']", style: { "background-color": e.color } });
  });

  var cy = cytoscape({ container: document.getElementById("cy"), elements: DATA.elements, style: style,
                       layout: { name: "preset", fit: true, padding: 30 } });

  // --- Legend -----------------------------------------------------------------
  var legend = document.getElementById("legend");
  function h(tag, attrs, text) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    if (text !== undefined) el.textContent = text;
    return el;
  }
  window.ckgLegend(legend, DATA, { Legend: "Legend", uncertain: "cannot tell whether it held on the date" });

  // --- Cards ------------------------------------------------------------------
  var cardBox = document.getElementById("card");
  function showCard(key) {
    var card = DATA.cards[key];
    cardBox.replaceChildren();
    if (!card) { cardBox.appendChild(h("p", {}, key)); return; }
    cardBox.appendChild(h("h2", {}, card.label + "  [" + card.entity + "]"));
    cardBox.appendChild(h("div", { "class": "types" }, (card.types || []).join(", ")));
    if (card.names && card.names.length) {
      cardBox.appendChild(h("h3", {}, "Names"));
      card.names.forEach(function (n) {
        cardBox.appendChild(h("div", { "class": "line" }, n.text + "  (" + (n.lang || "-") + ", " + n.kind + ")"));
      });
    }
    var section = null;
    (card.lines || []).forEach(function (line) {
      if (line.section !== section) { section = line.section; cardBox.appendChild(h("h3", {}, section)); }
      cardBox.appendChild(h("div", { "class": "line" }, line.text));
      var shown = {};
      (line.evidence || []).forEach(function (ev) {
        var head = "source: " + ev.headline + " (" + (ev.published || "undated") + ")";
        if (!shown[head]) { shown[head] = true; cardBox.appendChild(h("div", { "class": "source" }, head)); }
        if (ev.quote) cardBox.appendChild(h("blockquote", {}, "“" + ev.quote + "”"));
      });
    });
    if (!(card.lines || []).length) cardBox.appendChild(h("p", {}, "(the graph records nothing else about it)"));
  }
  cy.on("tap", "node", function (evt) {
    var n = evt.target;
    if (n.data("role") === "axis") return;
    cy.$(":selected").unselect();
    n.select();
    showCard(n.data("card") || n.id());
  });

  // --- Search -----------------------------------------------------------------
  function norm(s) {
    return String(s).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/ё/g, "е").replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }
  var search = document.getElementById("search");
  function runSearch() {
    var q = norm(search.value);
    cy.elements().removeClass("match faded");
    if (!q) return cy.collection();
    var words = q.split(" ");
    var hits = cy.nodes().filter(function (n) {
      var text = " " + norm(n.data("search") || "") + " ";
      return words.every(function (w) { return text.indexOf(" " + w) >= 0; });
    });
    hits.addClass("match");
    cy.elements().not(hits).not(hits.connectedEdges()).addClass("faded");
    return hits;
  }
  search.addEventListener("input", runSearch);
  search.addEventListener("keydown", function (e) {
    if (e.key !== "Enter") return;
    var hits = runSearch();
    if (hits.length) {
      var first = hits[0];
      cy.$(":selected").unselect();
      first.select();
      showCard(first.data("card") || first.id());
      cy.animate({ center: { eles: first } }, { duration: 200 });
    }
  });

  // --- Date control -----------------------------------------------------------
  var asof = document.getElementById("asof");
  var status = document.getElementById("status");
  function applyDate(text) {
    var temporal = cy.elements().filter(function (el) { return el.data("temporal"); });
    temporal.removeClass("hidden uncertain");
    cy.nodes().removeClass("hidden");
    if (!text || !String(text).trim()) { status.textContent = "all dates"; return null; }
    var at = parseDate(text);
    if (!at) { status.textContent = "not a date: write YYYY-MM-DD, YYYY-MM or YYYY"; return null; }
    var counts = { "held": 0, "not held": 0, "cannot tell": 0 };
    temporal.forEach(function (el) {
      var truth = membershipAt(el.data("begin") || [], el.data("end") || [], el.data("attested") || [], at);
      counts[truth] += 1;
      if (truth === "not held") el.addClass("hidden");
      else if (truth === "cannot tell") el.addClass("uncertain");
    });
    // A node whose every link is hidden is hidden too.
    cy.nodes().forEach(function (n) {
      var edges = n.connectedEdges();
      if (edges.length && edges.every(function (e) { return e.hasClass("hidden"); })) n.addClass("hidden");
    });
    cy.edges().updateStyle();  // an edge's display follows its ends': recompute it after they changed
    status.textContent = "as of " + at.text + ": " + counts["held"] + " held, " + counts["cannot tell"] +
      " cannot tell, " + counts["not held"] + " not held (hidden)";
    return counts;
  }
  if (DATA.dated) {
    asof.value = DATA.asOf || "";
    asof.addEventListener("input", function () { applyDate(asof.value); });
    applyDate(asof.value);
  } else {
    document.getElementById("date-control").style.display = "none";
  }
  if (DATA.focus) {
    var f = cy.getElementById(DATA.focus);
    if (f.length) { f.select(); showCard(DATA.focus); }
  }

  window.ckg = { cy: cy, data: DATA, holds: function (b, e, a, at) {
      return holds(b ? parseDate(b) : null, e ? parseDate(e) : null, (a || []).map(parseDate), parseDate(at)); },
    membershipAt: function (b, e, a, at) { return membershipAt(b, e, a, parseDate(at)); },
    parseDate: parseDate, applyDate: applyDate, showCard: showCard, search: runSearch };
})();
