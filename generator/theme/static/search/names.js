/* wenming name search: finds every record by its name, without a word segmenter.
 *
 * The index (names/ inside the search bundle, written by generator/render/search/names.py)
 * lists each record under the character bigrams of its normalised names, under single
 * characters and under two-letter runs of its pinyin initials ("~zj"); keys shared by many
 * records are extended by one more character. A query is normalised the same way
 * (Simplified, no quotes or 书名号, no 新时代文明实践站 ending), up to three of its keys are
 * picked (the rarest), and only the files holding them are fetched from this site.
 *
 * Used by search.js in the browser and by the tests in node (module.exports).
 */
(function (root) {
  "use strict";

  function fnv(key) {
    var h = 0x811c9dc5;
    for (var i = 0; i < key.length; i++) {
      h ^= key.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h >>> 0;
  }

  /* base: URL of the names/ folder ending in "/"; get(url) resolves to the parsed JSON. */
  function Names(base, get) {
    this.base = base;
    this.get = get;
    this.meta = null;
    this.shards = new Map();
  }

  Names.prototype.load = function () {
    var self = this;
    if (!this.meta) {
      this.meta = this.get(this.base + "meta.json").then(function (m) {
        var map = new Map();
        var pairs = Array.from(m.c || "");
        for (var i = 0; i + 1 < pairs.length; i += 2) map.set(pairs[i], pairs[i + 1]);
        m.map = map;
        m.keepRe = new RegExp(m.keep, "u");
        m.suffixRe = new RegExp(m.suffix, "u");
        self.ready = m;
        return m;
      });
      this.meta.catch(function () { self.meta = null; });
    }
    return this.meta;
  };

  /* Traditional -> Simplified with a map of characters and one of phrases (the longest
     phrase first, then characters); search.js converts Pagefind's queries with it too. */
  function convert(map, phrases, longest, text) {
    var chars = Array.from(text);
    var out = "";
    for (var i = 0; i < chars.length;) {
      var hit = false;
      for (var len = Math.min(longest, chars.length - i); len >= 2; len--) {
        var key = chars.slice(i, i + len).join("");
        if (Object.prototype.hasOwnProperty.call(phrases, key)) {
          out += phrases[key];
          i += len;
          hit = true;
          break;
        }
      }
      if (!hit) {
        out += map.get(chars[i]) || chars[i];
        i += 1;
      }
    }
    return out;
  }

  /* Lower case, Simplified, letters/digits/Han only. */
  function normalise(m, text) {
    var out = convert(m.map, m.p || {}, m.n || 0, String(text || "").normalize("NFKC").toLowerCase());
    return Array.from(out).filter(function (ch) { return m.keepRe.test(ch); }).join("");
  }

  /* What the query is matched as: {text, mark ("" or "~" for pinyin initials), level}. */
  function parse(m, query) {
    var full = normalise(m, query);
    if (!full) return null;
    if (/^[a-z]{2,}$/.test(full)) return { text: full, mark: "~", level: -1, full: full };
    var found = m.suffixRe.exec(full);
    var text = full.replace(m.suffixRe, "") || full;
    var level = -1;
    if (found && text !== full) {
      for (var i = 0; i < m.levels.length; i++) {
        if (found[0].slice(-m.levels[i].length) === m.levels[i]) level = i;
      }
    }
    return { text: text, mark: "", level: level, full: full };
  }

  /* The rarest key of the query and, for a query with a typo in it, one more apart from it. */
  function pickKeys(m, q) {
    var chars = Array.from(q.text);
    if (chars.length === 1) return q.mark ? [] : [chars[0]];
    var found = [];
    for (var i = 0; i + 1 < chars.length; i++) {
      var n = 2;
      var key = q.mark + chars.slice(i, i + n).join("");
      while (m.freq[key] && i + n < chars.length && n < m.max) {
        n += 1;
        key = q.mark + chars.slice(i, i + n).join("");
      }
      found.push({ key: key, cost: m.freq[key] || 0, from: i, to: i + n });
    }
    found.sort(function (a, b) { return a.cost - b.cost || (b.to - b.from) - (a.to - a.from) || a.from - b.from; });
    var picked = [];
    found.forEach(function (f) {
      if (picked.length >= 2) return;
      var apart = picked.every(function (p) { return f.key !== p.key && (f.to <= p.from || f.from >= p.to); });
      if (picked.length === 0 || (apart && !f.cost)) picked.push(f);
    });
    return picked.map(function (f) { return f.key; });
  }

  /* The file holding a key: a frequent key has one of its own, the others share by hash. */
  Names.prototype.shard = function (m, key) {
    var n = m.freq[key] ? "f" + ("0000000" + fnv(key).toString(16)).slice(-8) : fnv(key) % m.shards;
    var self = this;
    if (!this.shards.has(n)) {
      var p = this.get(this.base + n + ".json");
      p.catch(function () { self.shards.delete(n); });
      this.shards.set(n, p);
    }
    return this.shards.get(n);
  };

  function isSubsequence(needle, hay) {
    var at = 0;
    for (var ch of needle) {
      at = hay.indexOf(ch, at);
      if (at < 0) return false;
      at += ch.length;
    }
    return true;
  }

  function bigramShare(needle, hay) {
    var cs = Array.from(needle);
    if (cs.length < 2) return 0;
    var hit = 0;
    for (var i = 0; i + 1 < cs.length; i++) if (hay.indexOf(cs[i] + cs[i + 1]) >= 0) hit += 1;
    return hit / (cs.length - 1);
  }

  /* How well the query matches one of a record's names: 6 the full name, 5 another name,
     4 a name starts with it, 3 a name holds it, 2 holds its characters in order, 1 half its
     bigrams; 0 not at all. Also the length of the best name and where the match starts. */
  function match(q, forms) {
    var best = { cls: 0, len: 1e9, at: 1e9 };
    forms.forEach(function (form, i) {
      if (!form) return;
      var cls = 0;
      var at = form.indexOf(q.text);
      if (form === q.text) cls = i === 0 ? 6 : 5;
      else if (at === 0) cls = 4;
      else if (at > 0) cls = 3;
      else if (isSubsequence(q.text, form)) cls = 2;
      else if (bigramShare(q.text, form) >= 0.5) cls = 1;
      if (at < 0) at = 1e6;
      if (cls > best.cls || (cls === best.cls && cls > 0 && (form.length < best.len || (form.length === best.len && at < best.at)))) {
        best = { cls: cls, len: form.length, at: at };
      }
    });
    return best;
  }

  function forms0(row) {
    return String(row[3] || "").split("|")[0];
  }

  function compare(a, b) {
    return b.rank - a.rank || b.suffix - a.suffix || a.inactive - b.inactive || a.order - b.order ||
      a.len - b.len || a.at - b.at || a.kind - b.kind || (a.title < b.title ? -1 : a.title > b.title ? 1 : 0);
  }

  /* The records matching `query`, best first: [{kind, label, url, title, level, where,
     phone, tel, cls}] (url relative to the site root). */
  Names.prototype.search = async function (query, limit) {
    var m = await this.load();
    var q = parse(m, query);
    if (!q) return [];
    var keys = pickKeys(m, q);
    var self = this;
    var shards = await Promise.all(keys.map(function (k) { return self.shard(m, k); }));
    var seen = new Map();
    shards.forEach(function (s, i) {
      (s.k[keys[i]] || []).forEach(function (j) {
        var row = s.r[j];
        var id = row[0] + ":" + row[1];
        if (!seen.has(id)) seen.set(id, row);
      });
    });
    var out = [];
    seen.forEach(function (row) {
      var forms = String(q.mark ? row[4] || "" : row[3] || "").split("|");
      var hit = match(q, forms);
      if (!hit.cls) return;
      var kind = row[0];
      var title = typeof row[2] === "number" ? forms0(row) + m.endings[row[2]] : row[2];
      var phone = row[7] || "";
      var level = row[5] === undefined || row[5] < 0 ? m.levels.length : row[5];
      out.push({
        kind: kind, label: m.kinds[kind], title: title,
        url: m.folders[kind] ? m.folders[kind] + "/" + row[1] + "/" : row[1],
        level: level < m.levels.length ? m.levels[level] : "", where: row[6] || "",
        phone: phone, tel: row[8] ? "tel:" + row[8] : phone ? "tel:" + phone.replace(/\D/g, "") : "",
        inactive: row[9] ? 1 : 0,
        cls: hit.cls, rank: kind === 4 ? hit.cls - 1 : hit.cls, len: hit.len, at: hit.at,
        suffix: q.level >= 0 && kind === 0 && level === q.level ? 1 : 0,
        order: kind === 0 ? level : m.levels.length
      });
    });
    out.sort(compare);
    return limit ? out.slice(0, limit) : out;
  };

  /* How the query is read: {text, full, mark, level} (see parse). */
  Names.prototype.parse = async function (query) {
    return parse(await this.load(), query);
  };

  /* `text` converted character by character to Simplified and lower case, keeping every
     offset (to mark a match in the text as written). */
  Names.prototype.aligned = function (text) {
    var m = this.ready;
    var out = "";
    for (var ch of String(text)) {
      var s = m ? m.map.get(ch) : null;
      s = s && s.length === ch.length ? s : ch;
      var low = s.toLowerCase();
      out += low.length === s.length ? low : s;
    }
    return out;
  };

  Names.fnv = fnv;
  Names.convert = convert;
  Names.normalise = normalise;
  Names.parse = parse;
  Names.pickKeys = pickKeys;
  root.WenmingNames = Names;
  if (typeof module !== "undefined" && module.exports) module.exports = Names;
})(typeof globalThis !== "undefined" ? globalThis : this);
