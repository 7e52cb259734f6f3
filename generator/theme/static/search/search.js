/* wenming site search: Material's search box answered by the name index and Pagefind.
 *
 * Nothing is downloaded until the reader opens the search box. A query first goes to
 * the name index (names.js: a few small files of pagefind/names/), whose records come
 * first in the list, each with its kind and, for a station, its level, town and phone.
 * Full-text results of Pagefind follow below them: at once when no name starts with
 * the query, else when the reader asks for them (the button at the end of the list).
 * Then pagefind.js (which fetches only the index chunks and page fragments a query
 * needs) and wenming-search.json (Traditional -> Simplified map, extra index shards)
 * are loaded from this site; no other host is ever contacted.
 *
 * A query is searched as typed and, when it contains Traditional characters,
 * converted to Simplified as well; pages written in Traditional carry a hidden
 * Simplified copy in the index, cut off here (after the marker) so that excerpts
 * always show the page's own text.
 */
(function () {
  "use strict";
  var MARK = "\u2042"; // "⁂": start of the hidden Simplified copy in a page's indexed text
  var PAGE = 10;
  var KINDS = { stations: "阵地", projects: "品牌项目", people: "典型人物", cases: "案例" };
  var PAGE_LABEL = "页面";

  var box = document.querySelector("[data-wm-search]");
  if (!box) return;
  var input = box.querySelector(".md-search__input");
  var form = box.querySelector("form");
  var meta = box.querySelector(".md-search-result__meta");
  var list = box.querySelector(".md-search-result__list");
  var toggle = document.getElementById("__search");
  var bundle = new URL(box.getAttribute("data-bundle") || "pagefind/", location.href).href;
  var root = new URL(box.getAttribute("data-root") || ".", location.href).pathname;
  if (root.slice(-1) !== "/") root += "/";
  var text = {
    placeholder: box.getAttribute("data-placeholder") || "",
    none: box.getAttribute("data-none") || "",
    one: box.getAttribute("data-one") || "",
    other: box.getAttribute("data-other") || ""
  };
  var engine = null;
  var names = window.WenmingNames ? new window.WenmingNames(bundle + "names/", function (url) {
    return fetch(url).then(function (r) {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return r.json();
    });
  }) : null;
  var current = 0;
  var timer = 0;

  function importModule(url) {
    // A plain import(): the site's Content-Security-Policy allows no eval or new Function.
    return import(url);
  }

  function converter(settings) {
    var map = new Map();
    var pairs = Array.from(settings.c || "");
    for (var i = 0; i + 1 < pairs.length; i += 2) map.set(pairs[i], pairs[i + 1]);
    var phrases = settings.p || {};
    var longest = settings.n || 0;
    return {
      /* Phrase-aware conversion of a query (longest phrase first, then characters). */
      full: function (s) {
        return window.WenmingNames.convert(map, phrases, longest, s);
      },
      /* Character conversion that keeps every offset (to find a match in the original text). */
      aligned: function (s) {
        var out = "";
        for (var ch of s) {
          var m = map.get(ch);
          out += m && m.length === ch.length ? m : ch;
        }
        return out;
      }
    };
  }

  function load() {
    if (!engine) {
      engine = Promise.all([
        importModule(bundle + "pagefind.js"),
        fetch(bundle + "wenming-search.json").then(function (r) {
          return r.ok ? r.json() : {};
        })
      ]).then(async function (parts) {
        var pf = parts[0];
        var settings = parts[1] || {};
        await pf.options({ baseUrl: root, excerptLength: 40 });
        for (var shard of settings.shards || []) {
          await pf.mergeIndex(bundle + shard, { baseUrl: root });
        }
        await pf.init();
        return { pf: pf, conv: converter(settings) };
      });
      engine.catch(function () {
        engine = null;
      });
    }
    return engine;
  }

  function escapeHtml(s) {
    return s.replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }

  var segmenter = null;
  try {
    segmenter = typeof Intl !== "undefined" && Intl.Segmenter ? new Intl.Segmenter("zh", { granularity: "word" }) : null;
  } catch (e) {
    segmenter = null;
  }

  function words(term) {
    if (segmenter) {
      var out = [];
      for (var seg of segmenter.segment(term)) if (seg.isWordLike) out.push(seg.segment);
      return out;
    }
    return Array.from(term);
  }

  /* Ranges of `hay` (already converted) matching the needles; whole terms first, else their
     words (unless `whole`: a name is marked only where it holds the query as typed). */
  function ranges(hay, needles, whole) {
    var found = [];
    function scan(n) {
      if (!n) return false;
      var hit = false;
      var at = hay.indexOf(n);
      while (at >= 0 && found.length < 64) {
        found.push([at, at + n.length]);
        hit = true;
        at = hay.indexOf(n, at + n.length);
      }
      return hit;
    }
    needles.forEach(function (n) {
      if (!scan(n) && !whole) words(n).forEach(scan);
    });
    found.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var merged = [];
    found.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    });
    return merged;
  }

  function marked(s, rs, from, to) {
    var out = "";
    var pos = from;
    rs.forEach(function (r) {
      var a = Math.max(r[0], from);
      var b = Math.min(r[1], to);
      if (b <= a) return;
      out += escapeHtml(s.slice(pos, a)) + "<mark>" + escapeHtml(s.slice(a, b)) + "</mark>";
      pos = b;
    });
    return out + escapeHtml(s.slice(pos, to));
  }

  /* The page's own text (without the hidden Simplified copy and segmentation marks). */
  function ownText(data) {
    var content = (data.content || "").replace(/\u200b/g, "");
    var cut = content.indexOf(MARK);
    if (cut >= 0) content = content.slice(0, cut);
    var title = (data.meta && data.meta.title) || "";
    var at = title ? content.indexOf(title) : -1;
    if (at >= 0 && at < 40) {  // the heading (maybe after a short label): the title line already shows it
      content = content.slice(0, at) + content.slice(at + title.length).replace(/^[.\s]+/, " ");
    }
    // Pagefind ends headings with ". "; Chinese text has its own punctuation.
    return content.replace(/([\u3400-\u9fff])\. /g, "$1 ").replace(/\s+/g, " ").trim();
  }

  function excerpt(conv, body, needles) {
    var rs = ranges(conv.aligned(body), needles);
    var width = 72;
    var start = rs.length ? Math.max(0, rs[0][0] - 18) : 0;
    var end = Math.min(body.length, start + width);
    return (start > 0 ? "…" : "") + marked(body, rs, start, end) + (end < body.length ? "…" : "");
  }

  function kindOf(url) {
    var path = url.indexOf(root) === 0 ? url.slice(root.length) : url.replace(/^\//, "");
    return KINDS[path.split("/")[0]] || PAGE_LABEL;
  }

  function item(conv, data, needles) {
    var title = (data.meta && data.meta.title) || data.url;
    var kind = kindOf(data.url);
    var li = document.createElement("li");
    li.className = "md-search-result__item";
    li.innerHTML =
      '<a class="md-search-result__link" href="' + escapeHtml(data.url) + '">' +
      '<article class="md-search-result__article md-typeset">' +
      "<h1>" + (kind ? '<span class="wm-search__kind">' + kind + "</span>" : "") +
      marked(title, ranges(conv.aligned(title), needles), 0, title.length) + "</h1>" +
      "<p>" + excerpt(conv, ownText(data), needles) + "</p>" +
      "</article></a>";
    return li;
  }

  function setMeta(count) {
    if (count === null) meta.textContent = text.placeholder;
    else if (count === 0) meta.textContent = text.none;
    else if (count === 1) meta.textContent = text.one;
    else meta.textContent = text.other.replace("#", String(count));
  }

  /* A record found by its name: kind, title, level and town, and a phone to tap. */
  function recordItem(r, state) {
    var li = document.createElement("li");
    li.className = "md-search-result__item wm-search__record";
    var facts = [];
    if (r.level) facts.push(r.level);
    if (r.where) facts.push(r.where);
    if (r.inactive) facts.push("已撤并或关闭");
    var title = names.aligned(r.title);
    li.innerHTML =
      '<a class="md-search-result__link" href="' + escapeHtml(root + r.url) + '">' +
      '<article class="md-search-result__article md-typeset">' +
      '<h1><span class="wm-search__kind">' + escapeHtml(r.label) + "</span>" +
      marked(r.title, state.mark ? [] : ranges(title, state.names, true), 0, r.title.length) + "</h1>" +
      (facts.length ? '<p class="wm-search__facts">' + escapeHtml(facts.join(" · ")) + "</p>" : "") +
      "</article></a>" +
      (r.tel ? '<p class="wm-search__call"><a class="wm-search__tel" href="' + escapeHtml(r.tel) + '">' +
        "拨打电话 " + escapeHtml(r.phone) + "</a></p>" : "");
    return li;
  }

  function button(label, action) {
    var li = document.createElement("li");
    li.className = "md-search-result__item wm-search__more";
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.addEventListener("click", function () {
      li.remove();
      action();
    });
    li.appendChild(b);
    list.appendChild(li);
  }

  /* Shows the next page of the list: name results first, then full-text ones. */
  async function showMore(state) {
    var shown = 0;
    while (shown < PAGE && state.next < state.items.length) {
      var it = state.items[state.next++];
      if (it.record) {
        list.appendChild(recordItem(it.record, state));
        shown += 1;
        continue;
      }
      var data = await it.page.data();
      if (state.token !== current) return;
      if (state.seen.has(data.url.replace(/\/?$/, "/"))) continue;
      list.appendChild(item(state.conv, data, state.needles));
      shown += 1;
    }
    var left = state.items.length - state.next;
    if (left > 0) {
      button("显示更多结果(还有 " + left + " 个)", function () { showMore(state); });
    } else if (!state.full) {
      button("在全部页面的正文中搜索「" + state.query + "」", function () {
        fullText(state).then(function () { return showMore(state); });
      });
    }
  }

  /* Pagefind's full-text results, added below the name results. */
  async function fullText(state) {
    state.full = true;
    var eng = await load();
    if (state.token !== current) return;
    var query = state.query;
    var simplified = eng.conv.full(query);
    var searches = [eng.pf.search(simplified)];
    var answers = await Promise.all(searches);
    if (state.token !== current) return;
    var best = new Map();
    answers.forEach(function (a) {
      ((a && a.results) || []).forEach(function (r) {
        var seen = best.get(r.id);
        if (!seen || r.score > seen.score) best.set(r.id, r);
      });
    });
    var results = Array.from(best.values()).sort(function (a, b) { return b.score - a.score; });
    var needles = [];
    (query + " " + simplified).split(/\s+/).forEach(function (t) {
      var n = eng.conv.aligned(t);
      if (n && needles.indexOf(n) < 0) needles.push(n);
    });
    state.conv = eng.conv;
    state.needles = needles;
    results.forEach(function (r) { state.items.push({ page: r }); });
    setMeta(state.items.length);
  }

  async function run(query) {
    var token = ++current;
    query = query.trim();
    if (!query) {
      list.innerHTML = "";
      setMeta(null);
      return;
    }
    var found = [];
    var parsed = null;
    if (names) {
      try {
        found = await names.search(query, 300);
        parsed = await names.parse(query);
      } catch (e) {
        found = [];
      }
    }
    if (token !== current) return;
    var state = {
      token: token, query: query, next: 0, full: false, conv: null, needles: [],
      items: found.map(function (r) { return { record: r }; }),
      seen: new Set(found.map(function (r) { return root + r.url; })),
      names: parsed ? [parsed.text, parsed.full] : [], mark: parsed ? parsed.mark : ""
    };
    list.innerHTML = "";
    // Names that start with the query (or are it): it is a name, the list answers it. Else
    // the full text is searched at once.
    var strong = found.some(function (r) { return r.cls >= 4; });
    if (found.length) {
      setMeta(found.length);
      box.setAttribute("data-wm-state", strong ? "done" : "names");
      if (strong) return showMore(state);
      await showMore(state);
      if (token !== current) return;
      // the full-text results go below what is shown
      var more = list.querySelector(".wm-search__more");
      if (more) more.remove();
      await fullText(state);
      if (token !== current) return;
      if (state.next >= found.length) await showMore(state);
      else button("显示更多结果(还有 " + (state.items.length - state.next) + " 个)", function () { showMore(state); });
    } else {
      await fullText(state);
      if (token !== current) return;
      list.innerHTML = "";
      await showMore(state);
    }
    if (token !== current) return;
    setMeta(list.querySelectorAll(".md-search-result__item:not(.wm-search__more)").length +
      Math.max(0, state.items.length - state.next));
    box.setAttribute("data-wm-state", "done");
  }

  /* Opening the box fetches the name index's settings (a few KB); Pagefind comes only
     with the first full-text search. */
  function prepare() {
    if (names) names.load().catch(function () {});
    else load();
  }

  function open() {
    if (toggle && !toggle.checked) {
      toggle.checked = true;
      toggle.dispatchEvent(new Event("change"));
    }
    prepare();
  }

  function close() {
    if (toggle && toggle.checked) {
      toggle.checked = false;
      toggle.dispatchEvent(new Event("change"));
    }
    input.blur();
  }

  input.addEventListener("focus", open);
  input.addEventListener("input", function () {
    box.setAttribute("data-wm-state", "busy");
    clearTimeout(timer);
    timer = setTimeout(function () { run(input.value); }, 150);
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") {
      close();
    } else if (ev.key === "Enter") {
      var first = list.querySelector("a.md-search-result__link");
      if (first) location.href = first.href;
      ev.preventDefault();
    }
  });
  form.addEventListener("submit", function (ev) { ev.preventDefault(); });
  form.addEventListener("reset", function () {
    setTimeout(function () { run(""); input.focus(); }, 0);
  });
  list.addEventListener("click", function (ev) {
    if (ev.target.closest && ev.target.closest("a")) close();
  });
  if (toggle) {
    toggle.addEventListener("change", function () {
      if (toggle.checked && document.activeElement !== input) {
        prepare();
        setTimeout(function () { input.focus(); }, 250);
      }
    });
  }
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    var typing = t && (t.isContentEditable || /^(input|textarea|select)$/i.test(t.tagName));
    if (!typing && !ev.ctrlKey && !ev.metaKey && !ev.altKey && (ev.key === "/" || ev.key === "s")) {
      ev.preventDefault();
      open();
      input.focus();
    }
  });

  var initial = new URLSearchParams(location.search).get("q");
  if (initial) {
    input.value = initial;
    open();
    run(initial);
  }

  /* For tests and for other scripts: run a query, resolve when results are shown. */
  window.wenmingSearch = function (query) {
    input.value = query;
    open();
    return run(query);
  };
})();
