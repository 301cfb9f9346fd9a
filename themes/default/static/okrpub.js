/* okrpub: offline search, check-ins written out when printing, and the tools of
   the period page's cascade. The search
   index (search/index.js) is loaded by a script tag on first use, so search
   works from a web server and from file://. */
(function () {
  "use strict";
  function normalise(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  // Printing writes out every check-in table: open the closed ones, and close
  // them again afterwards. (The print style does the same where browsers
  // support ::details-content, so this is only the fallback.)
  var printed = [];
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details:not([open])"), function (details) {
      details.open = true;
      printed.push(details);
    });
  });
  window.addEventListener("afterprint", function () {
    printed.forEach(function (details) { details.open = false; });
    printed = [];
  });

  /* The navigation's period menu (a details element) closes on Escape and on a click
     outside it, as menus do. */
  var periodMenu = document.querySelector(".period-switcher details");
  if (periodMenu) {
    document.addEventListener("click", function (event) {
      if (periodMenu.open && !periodMenu.contains(event.target)) { periodMenu.open = false; }
    });
    periodMenu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && periodMenu.open) {
        periodMenu.open = false;
        periodMenu.querySelector("summary").focus();
      }
    });
  }

  /* The period page's cascade (issue #18): expand or collapse every subtree, and
     filter by team, owner and status. A card that matches shows with the cards above
     it (dimmed when they do not match) and its closed subtrees open; without
     JavaScript the tools stay hidden and the whole cascade is there, grouped. */
  var tools = document.getElementById("cascade-tools");
  if (tools) {
    var cascade = document.getElementById("cascade");
    var cards = Array.prototype.slice.call(cascade.querySelectorAll("li[data-units]")).reverse();
    var subtrees = Array.prototype.slice.call(cascade.querySelectorAll("details.tree-more"));
    var unitFilter = document.getElementById("filter-unit");
    var ownerFilter = document.getElementById("filter-owner");
    var statusFilter = document.getElementById("filter-status");
    var count = document.getElementById("filter-count");
    var filtering = false;
    var openBefore = [];
    tools.hidden = false;
    tools.addEventListener("click", function (event) {
      var action = event.target.getAttribute && event.target.getAttribute("data-cascade");
      if (action) {
        subtrees.forEach(function (details) { details.open = action === "expand"; });
      }
    });
    var ownerOf = function (card) {
      var link = card.querySelector(".tree-item .meta a");
      return link ? normalise(link.textContent) : "";
    };
    var filter = function () {
      var unit = unitFilter.value;
      var owner = normalise(ownerFilter.value.trim());
      var status = statusFilter.value;
      var active = Boolean(unit || owner || status);
      if (active && !filtering) {
        openBefore = subtrees.filter(function (details) { return details.open; });
      }
      var shown = 0;
      cards.forEach(function (card) {  // deepest first: a card's subtree is done before it
        var matches = active
          && (!unit || (" " + card.getAttribute("data-units") + " ").indexOf(" " + unit + " ") >= 0)
          && (!status || card.getAttribute("data-status") === status)
          && (!owner || ownerOf(card).indexOf(owner) >= 0);
        var below = card.querySelector("li[data-units]:not([hidden])") !== null;
        card.hidden = active && !matches && !below;
        card.classList.toggle("filter-context", active && !matches && below);
        var details = card.querySelector(":scope > details.tree-more");
        if (details && active) { details.open = below; }
        if (matches) { shown += 1; }
      });
      if (!active && filtering) {
        subtrees.forEach(function (details) { details.open = openBefore.indexOf(details) >= 0; });
      }
      filtering = active;
      count.textContent = active
        ? count.getAttribute("data-text").replace("{shown}", String(shown)).replace("{total}", String(cards.length))
        : "";
    };
    [unitFilter, statusFilter].forEach(function (control) { control.addEventListener("change", filter); });
    ownerFilter.addEventListener("input", filter);
  }

  var box = document.getElementById("search-box");
  if (!box) { return; }
  var root = box.getAttribute("data-root") || "";
  var panel = document.getElementById("search-suggestions");
  var loading = {};

  /* Load an index script once; it sets window[name] to its rows. The suggestions
     use the small titles index, the search page the full one. */
  function loadScript(src, name) {
    if (!loading[name]) {
      loading[name] = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.onload = function () { resolve(window[name] || []); };
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return loading[name];
  }

  function loadTitles() {
    return loadScript(box.getAttribute("data-index"), "okrpubSearchTitles");
  }

  function search(rows, query) {
    var terms = normalise(query).split(/\s+/).filter(Boolean);
    if (!terms.length) { return []; }
    var hits = [];
    rows.forEach(function (row) {
      var title = normalise(row[1]);
      var haystack = title + " " + normalise(row[3]) + " " + normalise(row[4] || "");
      var score = 0;
      for (var i = 0; i < terms.length; i++) {
        if (haystack.indexOf(terms[i]) < 0) { return; }
        score += title.indexOf(terms[i]) >= 0 ? 2 : 1;
      }
      hits.push([score, row]);
    });
    hits.sort(function (a, b) { return b[0] - a[0] || (a[1][1] < b[1][1] ? -1 : 1); });
    return hits.map(function (hit) { return hit[1]; });
  }

  function resultItem(row) {
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = root + row[2];
    link.textContent = row[1];
    var context = document.createElement("span");
    context.className = "search-hit-context";
    context.textContent = row[3];
    link.appendChild(context);
    item.appendChild(link);
    return item;
  }

  function showSuggestions() {
    var query = box.value.trim();
    if (!query) { panel.hidden = true; return; }
    loadTitles().then(function (rows) {
      var hits = search(rows, query).slice(0, 8);
      panel.textContent = "";
      if (!hits.length) {
        var none = document.createElement("p");
        none.textContent = box.getAttribute("data-none");
        panel.appendChild(none);
      } else {
        var list = document.createElement("ol");
        hits.forEach(function (row) { list.appendChild(resultItem(row)); });
        panel.appendChild(list);
      }
      panel.hidden = false;
    });
  }

  box.addEventListener("focus", function () { loadTitles(); });
  box.addEventListener("input", showSuggestions);
  box.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { panel.hidden = true; }
    if (event.key === "ArrowDown" && !panel.hidden) {
      var first = panel.querySelector("a");
      if (first) { event.preventDefault(); first.focus(); }
    }
  });
  panel.addEventListener("keydown", function (event) {
    var links = Array.prototype.slice.call(panel.querySelectorAll("a"));
    var index = links.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && index < links.length - 1) { event.preventDefault(); links[index + 1].focus(); }
    if (event.key === "ArrowUp") { event.preventDefault(); (index > 0 ? links[index - 1] : box).focus(); }
    if (event.key === "Escape") { panel.hidden = true; box.focus(); }
  });
  document.addEventListener("click", function (event) {
    if (!panel.contains(event.target) && event.target !== box) { panel.hidden = true; }
  });

  var results = document.getElementById("search-results");
  if (results) {
    var query = new URLSearchParams(window.location.search).get("q") || "";
    box.value = query;
    var summary = document.getElementById("search-summary");
    if (query) {
      loadScript(results.getAttribute("data-index"), "okrpubSearchIndex").then(function (rows) {
        var hits = search(rows, query);
        var found = summary.getAttribute(hits.length === 1 ? "data-found-one" : "data-found") || "{count}";
        summary.textContent = hits.length
          ? found.replace("{count}", String(hits.length)).replace("{query}", function () { return query; })
          : box.getAttribute("data-none");
        hits.slice(0, 200).forEach(function (row) { results.appendChild(resultItem(row)); });
      });
    }
  }
}());
