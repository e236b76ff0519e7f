/* customs-kg, shared by the viz pages and the site's network pages: dates at
 * their precision and the three-valued rule of graph_builder/answering/temporal.py
 * (held, not held, cannot tell), window.ckgTemporal; the legend, window.ckgLegend. */
(function () {
  "use strict";
  // --- Dates: a year, a month or a day, as their first and last day ---------
  function daysIn(y, m) { return new Date(Date.UTC(y, m, 0)).getUTCDate(); }
  function parseDate(text) {
    var m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(String(text).trim());
    if (!m) return null;
    var y = +m[1], mo = m[2] ? +m[2] : null, d = m[3] ? +m[3] : null;
    if (mo !== null && (mo < 1 || mo > 12)) return null;
    if (d !== null && (d < 1 || d > daysIn(y, mo))) return null;
    var first = y * 10000 + (mo || 1) * 100 + (d || 1);
    var last = y * 10000 + (mo || 12) * 100 + (d || daysIn(y, mo || 12));
    return { text: m[0], first: first, last: last };
  }
  function contains(outer, inner) { return outer.first <= inner.first && inner.last <= outer.last; }

  // holds(): the rule of graph_builder.temporal.holds, returning its truth.
  function holds(begin, end, attested, at) {
    var seen = attested.some(function (a) { return contains(at, a); });
    if (!begin && !end) return seen ? "held" : "cannot tell";
    var truth;
    if (end && end.last < at.first) truth = "not held";
    else if (!begin) truth = "cannot tell";
    else if (begin.first > at.last) truth = "not held";
    else if (begin.last <= at.last) truth = "held";
    else truth = "cannot tell";
    if (seen && truth !== "held") return "held";
    return truth;
  }
  // membershipAt(): Membership.at — the answer every combination of the
  // recorded beginnings and ends gives, else "cannot tell".
  function membershipAt(begins, ends, attested, at) {
    var bs = begins.map(parseDate), es = ends.map(parseDate), as = attested.map(parseDate);
    if (!bs.length) bs = [null];
    if (!es.length) es = [null];
    var truths = {};
    bs.forEach(function (b) { es.forEach(function (e) { truths[holds(b, e, as, at)] = true; }); });
    var keys = Object.keys(truths);
    return keys.length === 1 ? keys[0] : "cannot tell";
  }

  window.ckgTemporal = { parseDate: parseDate, holds: holds, membershipAt: membershipAt };

  // The style of each node kind (colour, shape), to put before the more specific rules.
  window.ckgNodeKindStyles = function (DATA) {
    return Object.keys(DATA.nodeColors).map(function (k) {
      var s = { "background-color": DATA.nodeColors[k] };
      if (DATA.nodeShapes[k]) s.shape = DATA.nodeShapes[k];
      return { selector: "node[kind = '" + k + "']", style: s };
    });
  };

  // The legend of a network: node kinds, edge relations and (dated networks) the "cannot tell" line.
  // words: { Legend, uncertain, group } in the page's language.
  function h(tag, attrs, text) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    if (text !== undefined) el.textContent = text;
    return el;
  }
  window.ckgLegend = function (legend, DATA, words, heading) {
    legend.appendChild(h(heading || "h3", {}, words.Legend));
    DATA.legend.nodes.forEach(function (pair) {
      var item = h("div", { "class": "item" });
      item.appendChild(h("span", { "class": "swatch", style: "background:" + (DATA.nodeColors[pair[0]] || "#e5e7eb") }));
      item.appendChild(h("span", {}, pair[0] === "group" && words.group ? words.group : pair[1]));
      legend.appendChild(item);
    });
    DATA.legend.edges.forEach(function (pair) {
      var e = DATA.edgeStyles[pair[0]] || { color: "#999", style: "solid" };
      var item = h("div", { "class": "item" });
      item.appendChild(h("span", { "class": "line", style: "border-top:3px " + e.style + " " + e.color }));
      item.appendChild(h("span", {}, pair[1]));
      legend.appendChild(item);
    });
    if (DATA.dated) {
      var u = h("div", { "class": "item" });
      u.appendChild(h("span", { "class": "line", style: "border-top:3px dashed #666" }));
      u.appendChild(h("span", {}, words.uncertain));
      legend.appendChild(u);
    }
  };
})();
