/* okrpub: offline search, check-ins written out when printing, and the tools of
   the period page's cascade. The search
   index (search/index.js) is loaded by a script tag on first use, so search
   works from a web server and from file://. */
(function () {
  "use strict";
  // A count as the pages write it: with the language's thousands separator.
  var thousands = document.documentElement.getAttribute("data-thousands") || "";
  function number(count) {
    return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, function () { return thousands; });
  }

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

  /* The status page: a filter by team, owner and status, and sortable columns. Without
     JavaScript the page is the same lists, grouped by status and team. */
  function statusPage(period) {
    var rows = Array.prototype.slice.call(period.querySelectorAll("tr[data-status]"));
    if (!rows.length) { return; }
    var strings = document.getElementById("status-strings");
    function text(name) { return strings ? strings.getAttribute("data-" + name) || "" : ""; }
    function options(pairs) {
      var seen = {}, list = [];
      pairs.forEach(function (pair) { if (!seen[pair[0]]) { seen[pair[0]] = true; list.push(pair); } });
      return list;
    }
    function teamOf(row) { return row.closest("[data-team]"); }
    var teams = options(rows.map(function (row) {
      var group = teamOf(row);
      return [group.getAttribute("data-team"), group.querySelector("h4").firstChild.textContent.trim()];
    }));
    var owners = options(rows.map(function (row) {
      return [row.getAttribute("data-owner"), row.querySelector("td a").textContent];
    })).sort(function (a, b) { return a[1].localeCompare(b[1]); });
    var statuses = options(rows.map(function (row) {
      return [row.getAttribute("data-status"), row.querySelector(".status").textContent];
    }));
    var form = document.createElement("form");
    form.className = "status-filter";
    form.setAttribute("aria-label", text("filter"));
    var selects = {};
    [["team", text("team"), teams], ["owner", text("owner"), owners], ["status", text("status"), statuses]].forEach(function (spec) {
      var label = document.createElement("label");
      label.textContent = spec[1];
      var select = document.createElement("select");
      select.name = spec[0];
      var all = document.createElement("option");
      all.value = "";
      all.textContent = text("all");
      select.appendChild(all);
      spec[2].forEach(function (pair) {
        var option = document.createElement("option");
        option.value = pair[0];
        option.textContent = pair[1];
        select.appendChild(option);
      });
      label.appendChild(select);
      form.appendChild(label);
      selects[spec[0]] = select;
    });
    var shown = document.createElement("output");
    shown.setAttribute("aria-live", "polite");
    form.appendChild(shown);
    function apply() {
      var team = selects.team.value, owner = selects.owner.value, status = selects.status.value;
      var count = 0;
      rows.forEach(function (row) {
        var visible = (!team || teamOf(row).getAttribute("data-team") === team) &&
          (!owner || row.getAttribute("data-owner") === owner) &&
          (!status || row.getAttribute("data-status") === status);
        row.hidden = !visible;
        if (visible) { count += 1; }
      });
      Array.prototype.forEach.call(period.querySelectorAll(".team-group"), function (group) {
        group.hidden = !group.querySelector("tr[data-status]:not([hidden])");
      });
      Array.prototype.forEach.call(period.querySelectorAll(".status-list[data-status]"), function (list) {
        list.hidden = Boolean(status && list.getAttribute("data-status") !== status);
      });
      shown.textContent = text("shown").replace("{shown}", number(count)).replace("{total}", number(rows.length));
    }
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    var summary = period.querySelector(".status-summary");
    summary.parentNode.insertBefore(form, summary.nextSibling);
    apply();
    sortable(period);
  }

  /* Clicking a column's header sorts the rows of every table of the period by it. */
  function sortable(period) {
    var tables = period.querySelectorAll("table.status-table");
    Array.prototype.forEach.call(tables, function (table) {
      Array.prototype.forEach.call(table.querySelectorAll("thead th[data-sort]"), function (th) {
        var column = Array.prototype.indexOf.call(th.parentNode.children, th);
        var button = document.createElement("button");
        button.type = "button";
        button.className = "sort";
        button.textContent = th.textContent;
        th.textContent = "";
        th.appendChild(button);
        button.addEventListener("click", function () {
          var ascending = th.getAttribute("aria-sort") !== "ascending";
          Array.prototype.forEach.call(period.querySelectorAll("table.status-table"), function (each) {
            var header = each.querySelectorAll("thead th")[column];
            Array.prototype.forEach.call(each.querySelectorAll("thead th"), function (other) { other.removeAttribute("aria-sort"); });
            header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
            sortRows(each, column, header.getAttribute("data-sort"), ascending);
          });
        });
      });
    });
  }

  function sortRows(table, column, kind, ascending) {
    var body = table.querySelector("tbody");
    var rows = Array.prototype.slice.call(body.children);
    function key(row) {
      var cell = row.children[column];
      var value = cell.getAttribute("data-value");
      if (kind === "number") { return parseFloat(value); }
      if (kind === "date") { return value || ""; }
      return (cell.querySelector("a") || cell).textContent.toLowerCase();
    }
    rows.sort(function (a, b) {
      var x = key(a), y = key(b);
      var order = x < y ? -1 : (x > y ? 1 : 0);
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-filterable]"), statusPage);

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
     it (dimmed when they do not match) and its closed subtrees open; the unaligned
     objectives below the cascade are filtered alike, and their section hides when none
     matches. Without JavaScript the tools stay hidden and the whole cascade is there,
     grouped. */
  var tools = document.getElementById("cascade-tools");
  if (tools) {
    var unaligned = document.getElementById("unaligned");
    var cards = Array.prototype.slice.call(
      document.querySelectorAll("#cascade li[data-units], #unaligned li[data-units]")).reverse();
    var subtrees = Array.prototype.slice.call(
      document.querySelectorAll("#cascade details.tree-more, #unaligned details.tree-more"));
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
      if (unaligned) {
        unaligned.hidden = active && !unaligned.querySelector("li[data-units]:not([hidden])");
      }
      count.textContent = active
        ? count.getAttribute("data-text").replace("{shown}", number(shown)).replace("{total}", number(cards.length))
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
          ? found.replace("{count}", number(hits.length)).replace("{query}", function () { return query; })
          : box.getAttribute("data-none");
        hits.slice(0, 200).forEach(function (row) { results.appendChild(resultItem(row)); });
      });
    }
  }
}());
