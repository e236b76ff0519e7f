/* customs-kg site: the search of the index, the network pages and the SPARQL page.
 * Every value from the data is written with textContent, never as HTML. */
(function () {
  "use strict";

  function h(tag, attrs, text) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) el.textContent = text;
    return el;
  }
  function data() {
    var el = document.getElementById("ckg-data");
    return el ? JSON.parse(el.textContent) : null;
  }
  function param(name) { return new URLSearchParams(window.location.search).get(name); }

  // The fold of graph_builder.answering.resolve.normalize: case, accents, ё and punctuation do not matter.
  function norm(text) {
    return String(text).normalize("NFKC").toLowerCase().replace(/ё/g, "е").normalize("NFKD")
      .replace(/\p{M}/gu, "").normalize("NFC").replace(/[\p{P}`´ʹʻʼʽˈ]/gu, " ")
      .split(/\s+/).filter(Boolean).join(" ");
  }

  // ---------------------------------------------------------------------------
  // Index: search over every name
  // ---------------------------------------------------------------------------
  function searchPage() {
    var box = document.getElementById("q"), list = document.getElementById("results"),
        count = document.getElementById("count"), index = window.CKG_INDEX;
    function run() {
      var q = norm(box.value);
      list.replaceChildren();
      count.textContent = "";
      if (!q) return;
      var words = q.split(" "), hits = [];
      index.entities.forEach(function (e) {
        var best = null;
        e[3].forEach(function (n) {
          var text = n[2];
          if (!words.every(function (w) { return text.indexOf(w) >= 0; })) return;
          var score = text === q ? 0 : text.indexOf(q) === 0 ? 1 : (" " + text).indexOf(" " + q) >= 0 ? 2 : 3;
          if (!best || score < best.score) best = { score: score, name: n };
        });
        if (best) hits.push({ e: e, score: best.score, name: best.name });
      });
      hits.sort(function (a, b) {
        return a.score - b.score || (a.e[1] < b.e[1] ? -1 : a.e[1] > b.e[1] ? 1 : 0);
      });
      if (!hits.length) { count.textContent = index.none + " “" + box.value + "”"; return; }
      count.textContent = hits.length + " ×";
      hits.slice(0, 100).forEach(function (hit) {
        var li = h("li");
        li.appendChild(h("a", { href: hit.e[0] }, hit.e[1]));
        li.appendChild(document.createTextNode(" "));
        li.appendChild(h("span", { "class": "kind" }, "(" + hit.e[2] + ")"));
        if (hit.name[0] !== hit.e[1]) {
          li.appendChild(document.createTextNode(" "));
          li.appendChild(h("span", { "class": "matched" }, "— " + hit.name[0] + (hit.name[1] ? " @" + hit.name[1] : "")));
        }
        list.appendChild(li);
      });
    }
    box.addEventListener("input", run);
    var q = param("q");
    if (q) { box.value = q; }
    run();
    window.ckgSearch = { norm: norm, run: run };
  }

  // ---------------------------------------------------------------------------
  // Networks
  // ---------------------------------------------------------------------------
  function networkPage(DATA) {
    var T = window.ckgTemporal;
    var W = DATA.words;
    var style = [
      { selector: "node", style: {
        "label": "data(label)", "text-wrap": "wrap", "text-max-width": 170, "font-size": 15, "min-zoomed-font-size": 8,
        "font-family": "DejaVu Sans, Noto Sans, Arial, sans-serif", "text-valign": "bottom", "text-margin-y": 4,
        "width": 30, "height": 30, "background-color": "#999", "border-width": 1, "border-color": "#333",
        "shape": "round-rectangle", "text-background-color": "#fff", "text-background-opacity": 0.75,
        "text-background-padding": 1 } },
      { selector: "edge", style: {
        "curve-style": "bezier", "target-arrow-shape": "triangle", "width": 2, "line-color": "#999",
        "target-arrow-color": "#999", "label": "", "font-size": 12, "text-rotation": "autorotate",
        "color": "#222", "text-background-color": "#fff", "text-background-opacity": 0.85 } },
      { selector: "edge.labelled, edge:selected", style: { "label": "data(label)" } },
      { selector: "node[kind = 'group']", style: { "shape": "ellipse", "width": 46, "height": 46,
        "background-color": "#e5e7eb", "border-width": 2, "border-style": "dashed", "text-valign": "center",
        "text-margin-y": 0, "font-size": 13, "font-weight": "bold", "text-wrap": "wrap", "text-max-width": 44 } },
      { selector: "node[role = 'axis']", style: { "shape": "rectangle", "width": 1, "height": 1, "background-opacity": 0,
        "border-width": 0, "font-size": 18, "text-valign": "top", "events": "no", "text-background-opacity": 0 } },
      { selector: "node[role = 'term']", style: { "shape": "rectangle", "width": "data(width)", "height": 30,
        "text-valign": "center", "text-margin-y": 0, "text-max-width": 900, "font-size": 14,
        "text-background-opacity": 0.85 } },
      { selector: "node[role = 'term-open']", style: { "shape": "diamond", "width": 22, "height": 22,
        "text-valign": "center", "text-halign": "right", "text-margin-x": 6, "text-margin-y": 0, "text-max-width": 600,
        "font-size": 14 } },
      { selector: "node[role = 'term-open'][?undated]", style: { "text-halign": "left", "text-margin-x": -6,
        "text-max-width": 260 } },
      { selector: "node[role = 'row']", style: { "width": 26, "height": 26, "text-valign": "center",
        "text-halign": "left", "text-margin-x": -8, "text-margin-y": 0, "text-max-width": 240, "font-size": 16,
        "font-weight": "bold" } },
      { selector: "node[role = 'meeting']", style: { "text-max-width": 170, "font-size": 14 } }
    ];
    window.ckgNodeKindStyles(DATA).forEach(function (s) { style.splice(2, 0, s); });
    Object.keys(DATA.edgeStyles).forEach(function (r) {
      var e = DATA.edgeStyles[r];
      style.push({ selector: "edge[relation = '" + r + "']", style: {
        "line-color": e.color, "target-arrow-color": e.color, "line-style": e.style, "width": e.width } });
      style.push({ selector: "node[relation = '" + r + "']", style: { "background-color": e.color } });
    });
    style.push({ selector: ".uncertain", style: { "line-style": "dashed", "opacity": 0.6, "border-style": "dashed" } });
    style.push({ selector: ".hidden, .off", style: { "display": "none" } });
    style.push({ selector: ".focus", style: { "border-width": 5, "border-color": "#ffbf00" } });
    style.push({ selector: "node:selected", style: { "border-width": 5, "border-color": "#000" } });

    var cy = cytoscape({ container: document.getElementById("cy"), elements: DATA.elements, style: style,
                         layout: { name: "preset", fit: false }, wheelSensitivity: 0.3, minZoom: 0.05, maxZoom: 4 });

    // A term's label stays inside its bar (an ellipsis where shortened; a click shows it whole).
    cy.nodes("[role = 'term']").forEach(function (n) {
      n.style({ "text-wrap": "ellipsis", "text-max-width": Math.max(20, n.data("width") - 12) });
    });

    // Grouped participants stay behind their group until it is opened.
    var grouped = cy.edges("[?grouped]");
    function settle() {
      cy.batch(settleNow);
      // An edge's own display follows its ends': recompute the edges' styles after the ends changed.
      cy.edges().updateStyle();
    }
    function settleNow() {
      cy.nodes().forEach(function (n) {
        if (n.data("role") === "axis" || n.data("role") === "term" || n.data("role") === "term-open" ||
            n.data("role") === "row" || n.data("role") === "meeting" || n.hasClass("off")) return;
        var edges = n.connectedEdges().not(".off");
        n.toggleClass("hidden", edges.length > 0 && edges.every(function (e) { return e.hasClass("hidden"); }));
      });
    }
    grouped.addClass("hidden");

    // Focus: the part within `depth` links of one entity (chairs: the lanes it appears in).
    var focus = param("focus"), depth = Math.max(0, Math.min(5, parseInt(param("depth") || "1", 10) || 1));
    var title = document.getElementById("net-title");
    if (focus && cy.getElementById(focus).length) {
      var start = cy.getElementById(focus), keep;
      if (DATA.kind === "chairs") {
        var rows = {};
        cy.nodes().forEach(function (n) { if (n.id() === focus || n.data("holder") === focus) rows[n.data("body") || n.id()] = true; });
        keep = cy.nodes().filter(function (n) { return n.data("role") === "axis" || rows[n.data("body") || n.id()]; });
      } else {
        keep = start;
        var frontier = start;
        for (var i = 0; i < depth; i++) {
          var next = frontier.connectedEdges().connectedNodes().not(keep);
          keep = keep.union(next);
          frontier = next;
        }
        keep = keep.union(keep.edgesWith(keep));
        // A meeting's crowd stays behind its group (a click opens it); the focus's own attendance shows.
        grouped.filter(function (e) { return e.data("source") === focus; }).removeClass("hidden");
      }
      cy.elements().not(keep).not(keep.edgesWith(keep)).addClass("off");
      start.addClass("focus");
      title.textContent = DATA.title + " — " + W.around + " " + start.data("label") + " (" + W.depth + " " + depth + ")";
      settle();
      if (DATA.kind === "membership" || DATA.kind === "participation") {
        cy.elements().not(".off, .hidden").layout({ name: "concentric", concentric: function (n) {
            return n.id() === focus ? 10 : n.edgesWith(start).length ? 5 : 1; },
          levelWidth: function () { return 1; }, minNodeSpacing: 110, animate: false, nodeDimensionsIncludeLabels: true,
          spacingFactor: 1.1 }).run();
      } else if (DATA.kind === "structure") {
        cy.elements().not(".off").layout({ name: "breadthfirst", directed: true, roots: cy.nodes().not(".off").filter(
          function (n) { return n.outgoers("edge[relation = 'part-of']").not(".off").length === 0; }),
          spacingFactor: 1.0, animate: false }).run();
        // breadthfirst puts roots on top with edges child -> parent: flip so parents are above.
        var ys = cy.nodes().not(".off").map(function (n) { return n.position("y"); });
        var top = Math.max.apply(null, ys), bottom = Math.min.apply(null, ys);
        cy.nodes().not(".off").forEach(function (n) { n.position("y", top + bottom - n.position("y")); });
      }
    }
    if (!focus && (DATA.kind === "membership" || DATA.kind === "participation") && cy.nodes().length <= 400) {
      // Labels take room: a force layout from the preset positions, counting each label in its node's size.
      cy.elements().not(".off, .hidden").layout({ name: "cose", randomize: false, animate: false, fit: false,
        nodeDimensionsIncludeLabels: true, idealEdgeLength: function () { return 90; }, nodeRepulsion: function () { return 45000; },
        nodeOverlap: 40, componentSpacing: 120, gravity: 0.4, numIter: 1500 }).run();
    }
    settle();

    // First view: readable, not a dot cloud. Zoom to fit, but never below the zoom at which labels are legible;
    // then centre on the focus (or the busiest node) and let "Fit all" show the rest.
    var MIN_READABLE = 0.8, MAX_FIRST = 1.1, hint = document.getElementById("partial");
    function firstView() {
      var shown = cy.elements().not(".hidden, .off");
      cy.fit(shown, 30);
      if (cy.zoom() > MAX_FIRST) { cy.zoom(MAX_FIRST); cy.center(shown); }
      hint.textContent = "";
      if (cy.zoom() < MIN_READABLE) {
        hint.textContent = W.partial;
        var centre = focus && cy.getElementById(focus).length ? cy.getElementById(focus) :
          shown.nodes().max(function (n) { return n.degree(); }).ele;
        if (DATA.kind === "chairs") centre = shown.nodes("[role = 'row']").first();
        cy.zoom(MIN_READABLE);
        if (DATA.kind === "chairs" || (DATA.kind === "structure" && !focus)) {  // lanes and trees: from the top left
          var bb = shown.boundingBox();
          cy.pan({ x: -bb.x1 * MIN_READABLE + 20, y: -bb.y1 * MIN_READABLE + 20 });
        } else {
          cy.center(centre);
        }
      }
    }
    firstView();
    document.getElementById("fit").addEventListener("click", function () {
      cy.fit(cy.elements().not(".hidden, .off"), 30);
      hint.textContent = "";
    });

    // Edge labels: on hover, on selection, and all of them once zoomed in enough to read them.
    var LABEL_ZOOM = 1.8;
    function edgeLabels() { cy.edges().toggleClass("labelled", cy.zoom() >= LABEL_ZOOM); }
    cy.on("zoom", edgeLabels);
    edgeLabels();
    cy.on("mouseover", "edge", function (e) { e.target.addClass("labelled"); });
    cy.on("mouseout", "edge", function (e) { if (cy.zoom() < LABEL_ZOOM) e.target.removeClass("labelled"); });

    // Legend.
    window.ckgLegend(document.getElementById("legend"), DATA, { Legend: W.Legend,
      uncertain: W["cannot tell whether it held on the date"], group: W["Group of participants: click to show or hide them"] }, "h2");

    // A click: the node's name and page; a group opens or closes.
    var info = document.getElementById("info");
    cy.on("tap", "node", function (evt) {
      var n = evt.target;
      if (n.data("role") === "axis") return;
      if (n.data("kind") === "group") {
        var meeting = n.data("id").replace(/^group:/, "");
        var edges = grouped.filter(function (e) { return e.data("target") === meeting; }).not(".off");
        var open = edges.some(function (e) { return e.hasClass("hidden"); });
        edges.toggleClass("hidden", !open);
        if (open) {
          edges.sources().removeClass("hidden");
          var c = n.position(), members = edges.sources().filter(function (s) { return s.connectedEdges().not(".hidden").length === 1; });
          // A ring around the group wide enough for each member's label (about 150 units of arc each).
          var radius = Math.max(160, members.length * 150 / (2 * Math.PI));
          var away = Math.atan2(c.y - cy.getElementById(meeting).position("y"), c.x - cy.getElementById(meeting).position("x"));
          var centre = { x: c.x + Math.cos(away) * radius, y: c.y + Math.sin(away) * radius };
          members.forEach(function (s, i) {
            var a = 2 * Math.PI * i / Math.max(1, members.length);
            s.position({ x: centre.x + Math.cos(a) * radius, y: centre.y + Math.sin(a) * radius });
          });
        }
        settle();
        return;
      }
      info.replaceChildren();
      info.appendChild(h("h2", {}, n.data("label")));
      if (n.data("chairs")) info.appendChild(h("p", {}, n.data("chairs")));
      if (n.data("page")) info.appendChild(h("a", { href: n.data("page") }, "→ " + n.data("label")));
    });

    // As of a date: the three-valued rule of graph_builder/answering/temporal.py.
    var asof = document.getElementById("asof"), status = document.getElementById("status");
    function applyDate(text) {
      var temporal = cy.elements("[?temporal]");
      temporal.removeClass("hidden uncertain");
      cy.nodes("[role = 'meeting']").removeClass("hidden");
      if (!text || !String(text).trim()) { status.textContent = W["all dates"]; settle(); return null; }
      var at = T.parseDate(text);
      if (!at) { status.textContent = "YYYY-MM-DD, YYYY-MM, YYYY"; settle(); return null; }
      var counts = { "held": 0, "not held": 0, "cannot tell": 0 };
      temporal.not(".off").forEach(function (el) {
        var truth = T.membershipAt(el.data("begin") || [], el.data("end") || [], el.data("attested") || [], at);
        counts[truth] += 1;
        if (truth === "not held") el.addClass("hidden");
        else if (truth === "cannot tell") el.addClass("uncertain");
      });
      cy.nodes("[role = 'meeting']").forEach(function (n) {
        var d = T.parseDate((/\((\d{4}(?:-\d\d){0,2})\)/.exec(n.data("label")) || [])[1] || "");
        if (d && d.first > at.last) n.addClass("hidden");
      });
      settle();
      status.textContent = at.text + ": " + counts["held"] + " held, " + counts["cannot tell"] + " cannot tell, " +
        counts["not held"] + " not held (hidden)";
      return counts;
    }
    if (DATA.dated) {
      asof.addEventListener("input", function () { applyDate(asof.value); });
      if (param("asof")) { asof.value = param("asof"); }
      applyDate(asof.value);
    } else {
      document.getElementById("date-control").style.display = "none";
    }
    window.ckg = { cy: cy, data: DATA, applyDate: applyDate };
  }

  // ---------------------------------------------------------------------------
  // SPARQL in the page (Oxigraph's WebAssembly build on the embedded graph)
  // ---------------------------------------------------------------------------
  var ID = "https://w3id.org/customs-kg/id/";
  var MAX_NESTING = 20;
  var LINE_ENDS = "\n\r\u2028\u2029\u0085\u000b\u000c";
  var UPDATE_WORDS = { INSERT: 1, DELETE: 1, LOAD: 1, CLEAR: 1, CREATE: 1, DROP: 1, COPY: 1, MOVE: 1, ADD: 1, WITH: 1 };

  // read_query() of graph_builder/answering/sparqltext.py: escapes expanded once, line ends as \n.
  function readQuery(text) {
    var out = text.replace(/\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})/g, function (m, a, b) {
      var code = parseInt(a || b, 16);
      if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) throw new Error("the escape " + m + " is not a Unicode character");
      return String.fromCodePoint(code);
    });
    var left = /\\[uU][0-9A-Fa-f]{4}/.exec(out);
    if (left) throw new Error("the query's escapes spell another escape ('" + left[0] + "' after expanding them): escapes are expanded once; write the character itself");
    return out.replace(/\r\n/g, "\n").replace(/\r/g, "\n");
  }
  // scan() of sparqltext.py: SPARQL's tokens, for the keywords that reach out or write, and the nesting.
  function scan(text) {
    var found = {}, depth = 0, deepest = 0, firstGroup = -1, i = 0, n = text.length, m;
    var IRIREF = /<[^<>"{}|^`\\\x00-\x20]*>/y, VAR = /[\w\u00B7\u0300-\u036F\u203F-\u2040]+/uy,
        LANG = /@[A-Za-z]+(?:-[A-Za-z0-9]+)*/y, NUM = /[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?/y;
    function at(re, pos) { re.lastIndex = pos; var r = re.exec(text); return r ? re.lastIndex : -1; }
    function nameEnd(j) {
      var s = j;
      while (j < n) {
        var c = text[j];
        if (/[\w\-\u00B7\u0300-\u036F\u203F-\u2040.:]/u.test(c)) j++;
        else if (/^(%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])/.test(text.slice(j, j + 3))) j += text[j] === "%" ? 3 : 2;
        else break;
      }
      while (j > s + 1 && text[j - 1] === ".") j--;
      return j;
    }
    function stringEnd(j) {
      var q = text.substr(j, 3) === text[j].repeat(3) ? text[j].repeat(3) : text[j], k = j + q.length;
      while (k < n) {
        if (text[k] === "\\") k += 2;
        else if (text.substr(k, q.length) === q) return k + q.length;
        else if (q.length === 1 && LINE_ENDS.indexOf(text[k]) >= 0) return k;
        else k++;
      }
      return n;
    }
    while (i < n) {
      var ch = text[i];
      if (ch === "#") { while (i < n && LINE_ENDS.indexOf(text[i]) < 0) i++; }
      else if (ch === '"' || ch === "'") i = stringEnd(i);
      else if (ch === "<" && (m = at(IRIREF, i)) > 0) i = m;
      else if ((ch === "?" || ch === "$") && (m = at(VAR, i + 1)) > 0) i = m;
      else if (ch === "@" && (m = at(LANG, i)) > 0) i = m;
      else if (/[0-9]/.test(ch) || (ch === "." && /[0-9]/.test(text[i + 1] || ""))) { m = at(NUM, i); i = m > 0 ? m : i + 1; }
      else if (ch === "_" && text[i + 1] === ":") i = nameEnd(i + 2);
      else if (/\p{L}/u.test(ch) || ch === "_" || ch === ":") {
        var end = nameEnd(i), w = text.slice(i, end);
        if (w.indexOf(":") < 0 && w.indexOf("-") < 0) {
          var up = w.toUpperCase();
          if (up === "SERVICE") found.SERVICE = true;
          if (up === "FROM") found["FROM / FROM NAMED"] = true;
          if (UPDATE_WORDS[up] && depth === 0) found.update = true;
        }
        i = end;
      } else {
        if ("{([".indexOf(ch) >= 0) { if (ch === "{" && firstGroup < 0) firstGroup = i; depth++; deepest = Math.max(deepest, depth); }
        else if ("})]".indexOf(ch) >= 0) depth = Math.max(depth - 1, 0);
        i++;
      }
    }
    return { keywords: found, depth: deepest, firstGroup: firstGroup };
  }
  // check_safe() of query.py: the same refusals as the command line.
  function checkSafe(text) {
    var s = scan(text);
    if (s.depth > MAX_NESTING) throw new Error("the query nests groups or brackets " + s.depth + " deep; at most " + MAX_NESTING + " are read");
    ["SERVICE", "FROM / FROM NAMED"].forEach(function (k) {
      if (s.keywords[k]) throw new Error(k + " is refused: a query may only read the local graph");
    });
    if (s.keywords.update) throw new Error("updates (INSERT, DELETE, LOAD, CLEAR, ...) are refused: queries are read-only");
    return s;
  }
  function escapeString(v) {
    return v.replace(/[\\"\n\r\t]/g, function (c) { return { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t" }[c]; });
  }
  // bind_value() of query.py, for the parameters typed on the page.
  function term(p, raw) {
    if (p.type === "iri") {
      if (/^[a-z0-9]+(-[a-z0-9]+)*(\/[a-z0-9-]+)*$/.test(raw)) return "<" + ID + raw + ">";
      if (/^(https?|urn):[^\x00-\x20<>"{}|\\^`]+$/.test(raw)) return "<" + raw + ">";
      throw new Error(p.name + ": '" + raw + "' is neither a key (e.g. rilo-cis) nor an IRI");
    }
    if (p.type === "integer") {
      if (!/^-?[0-9]{1,18}$/.test(raw)) throw new Error(p.name + ": '" + raw + "' is not a whole number");
      return '"' + raw + '"^^<http://www.w3.org/2001/XMLSchema#integer>';
    }
    if (p.type === "date") {
      var d = /^(\d{4})(-\d{2})?(-\d{2})?$/.exec(raw);
      if (!d || !window.ckgTemporal || !window.ckgTemporal.parseDate(raw)) {
        if (!d) throw new Error(p.name + ": '" + raw + "' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)");
      }
      var xsd = d[3] ? "date" : d[2] ? "gYearMonth" : "gYear";
      return '"' + raw + '"^^<http://www.w3.org/2001/XMLSchema#' + xsd + ">";
    }
    if (/\\[uU][0-9A-Fa-f]{4}/.test(raw)) throw new Error(p.name + ": write the character itself, not an escape");
    return '"' + escapeString(raw) + '"' + (p.type === "lang-string" ? "@en" : "");
  }

  function sparqlPage(DATA) {
    var W = DATA.words, pages = {};
    DATA.pages.forEach(function (pair) { pages[pair[0]] = pair[1]; });
    var select = document.getElementById("example"), area = document.getElementById("query"),
        question = document.getElementById("question"), params = document.getElementById("params"),
        button = document.getElementById("run"), state = document.getElementById("state"),
        results = document.getElementById("results");
    var store = null, current = null;
    select.appendChild(h("option", { value: "" }, "—"));
    DATA.examples.forEach(function (ex, i) { select.appendChild(h("option", { value: String(i) }, ex.name)); });
    function choose() {
      current = select.value === "" ? null : DATA.examples[+select.value];
      params.replaceChildren();
      question.textContent = current ? current.question : "";
      if (!current) return;
      area.value = current.text;
      if (current.params.length) params.appendChild(h("h3", { style: "display:block" }, W.Parameters));
      current.params.forEach(function (p) {
        var label = h("label", {}, p.name + " (" + p.type + ") ");
        var input = h("input", { "data-param": p.name, type: "text", size: "22", title: p.doc, placeholder: p.doc });
        label.appendChild(input);
        params.appendChild(label);
      });
    }
    select.addEventListener("change", choose);
    function cell(t) {
      var td = h("td");
      if (!t) return td;
      if (t.termType === "NamedNode" && t.value.indexOf(ID) === 0 && pages[t.value.slice(ID.length)]) {
        td.appendChild(h("a", { href: pages[t.value.slice(ID.length)] }, t.value.slice(ID.length)));
      } else {
        td.textContent = t.termType === "Literal" && t.language ? t.value + " @" + t.language : t.value;
      }
      return td;
    }
    function run() {
      results.replaceChildren();
      window.ckgSparql.last = null;
      var text;
      try {
        text = readQuery(area.value);
        var s = checkSafe(text);
        if (current && current.params.length) {
          var values = "";
          current.params.slice().sort(function (a, b) { return a.name < b.name ? -1 : 1; }).forEach(function (p) {
            var v = params.querySelector('[data-param="' + p.name + '"]').value.trim();
            if (v) values += "  VALUES ?" + p.name + " { " + term(p, v) + " }\n";
          });
          if (values) {
            var at = s.firstGroup + 1;
            text = text.slice(0, at) + "\n" + values + text.slice(at);
          }
        }
        // The project's prefixes, as the command line declares them (a query's own PREFIX comes later and wins).
        var declared = Object.keys(DATA.prefixes).map(function (p) { return "PREFIX " + p + ": <" + DATA.prefixes[p] + ">\n"; }).join("");
        var answer = store.query(declared + text);
        if (typeof answer === "boolean") { results.appendChild(h("p", {}, String(answer))); state.textContent = ""; return; }
        if (typeof answer === "string") { results.appendChild(h("pre", {}, answer)); return; }
        var table = h("table"), head = h("tr"), vars = [];
        if (answer.length && answer[0] instanceof Map) {
          answer.forEach(function (row) { row.forEach(function (_v, k) { if (vars.indexOf(k) < 0) vars.push(k); }); });
          var selected = (/SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?((?:\?\w+\s*)+)/i.exec(text) || [])[1];
          if (selected) {
            var order = selected.trim().split(/\s+/).map(function (v) { return v.slice(1); });
            vars = order.concat(vars.filter(function (v) { return order.indexOf(v) < 0; }));
          }
          vars.forEach(function (v) { head.appendChild(h("th", { scope: "col" }, v)); });
          table.appendChild(head);
          answer.forEach(function (row) {
            var tr = h("tr");
            vars.forEach(function (v) { tr.appendChild(cell(row.get(v))); });
            table.appendChild(tr);
          });
        } else {
          ["subject", "predicate", "object"].forEach(function (v) { head.appendChild(h("th", { scope: "col" }, v)); });
          table.appendChild(head);
          answer.forEach(function (q) {
            var tr = h("tr");
            [q.subject, q.predicate, q.object].forEach(function (t) { tr.appendChild(cell(t)); });
            table.appendChild(tr);
          });
        }
        state.textContent = answer.length + " " + W.rows;
        results.appendChild(table);
        window.ckgSparql.last = { vars: vars, rows: answer.map(function (row) {
          var out = {};
          if (row instanceof Map) row.forEach(function (t, k) { out[k] = { type: t.termType, value: t.value }; });
          return out;
        }) };
      } catch (err) {
        state.textContent = "";
        results.appendChild(h("p", { "class": "error", role: "alert" }, String(err && err.message || err)));
      }
    }
    button.addEventListener("click", run);
    area.addEventListener("keydown", function (e) { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) run(); });
    state.textContent = "…";
    var bytes = Uint8Array.from(atob(window.OXIGRAPH_WASM), function (c) { return c.charCodeAt(0); });
    window.oxigraph.__wbg_init({ module_or_path: bytes }).then(function () {
      store = new window.oxigraph.Store();
      store.load(window.CKG_GRAPH, { format: "application/n-triples" });
      button.disabled = false;
      state.textContent = store.size + " triples";
      window.ckgSparql.ready = true;
    }, function (err) {
      state.textContent = "";
      results.appendChild(h("p", { "class": "error", role: "alert" }, String(err)));
    });
    window.ckgSparql = { run: run, ready: false };
  }

  var DATA = data();
  if (window.CKG_INDEX && document.getElementById("q")) searchPage();
  else if (DATA && document.getElementById("cy")) networkPage(DATA);
  else if (DATA && document.getElementById("query")) sparqlPage(DATA);
})();
