/* 找身边的实践站 (nearby/): the nearest active stations, computed on the phone.
   Reads the data files written by generator/render/site/nearby.py from the same host, nothing else.
   The GCJ-02 conversion and the map-app links are ports of generator/geo.py;
   tests/test_nearby.py compares them with the Python on many points through node. */
(function () {
  "use strict";

  // ------------------------------------------------------------ GCJ-02 (port of geo.py)
  var A = 6378245.0;
  var EE = 0.00669342162296594323;
  var PI = Math.PI;

  function outsideChina(lat, lng) {
    return !(73.66 < lng && lng < 135.05 && 3.86 < lat && lat < 53.55);
  }
  function tLat(x, y) {
    var r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) * 2.0 / 3.0;
    r += (160.0 * Math.sin(y / 12.0 * PI) + 320 * Math.sin(y * PI / 30.0)) * 2.0 / 3.0;
    return r;
  }
  function tLng(x, y) {
    var r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) * 2.0 / 3.0;
    r += (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) * 2.0 / 3.0;
    return r;
  }
  function wgs84ToGcj02(lat, lng) {
    if (outsideChina(lat, lng)) return [lat, lng];
    var dLat = tLat(lng - 105.0, lat - 35.0);
    var dLng = tLng(lng - 105.0, lat - 35.0);
    var rad = lat / 180.0 * PI;
    var magic = 1 - EE * Math.pow(Math.sin(rad), 2);
    var sq = Math.sqrt(magic);
    dLat = (dLat * 180.0) / ((A * (1 - EE)) / (magic * sq) * PI);
    dLng = (dLng * 180.0) / (A / sq * Math.cos(rad) * PI);
    return [lat + dLat, lng + dLng];
  }
  function gcj02ToWgs84(lat, lng) {
    var wLat = lat, wLng = lng;
    for (var i = 0; i < 6; i++) {
      var g = wgs84ToGcj02(wLat, wLng);
      var eLat = g[0] - lat, eLng = g[1] - lng;
      wLat -= eLat;
      wLng -= eLng;
      if (Math.abs(eLat) < 1e-9 && Math.abs(eLng) < 1e-9) break;
    }
    return [wLat, wLng];
  }

  // Python's urllib.parse.quote (safe "/"): encodeURIComponent also leaves !'()* and escapes "/".
  function quote(s) {
    return encodeURIComponent(s).replace(/[!'()*]/g, function (c) {
      return "%" + c.charCodeAt(0).toString(16).toUpperCase();
    }).replace(/%2F/g, "/");
  }

  /* [[label, href], ...] as map_links() in geo.py builds them. */
  function mapLinks(name, lat, lng, wgs) {
    var w = wgs ? [lat, lng] : gcj02ToWgs84(lat, lng);
    var amap = "https://uri.amap.com/marker?position=" + lng.toFixed(6) + "," + lat.toFixed(6) +
      "&name=" + quote(name) + "&src=wenming&coordinate=" + (wgs ? "wgs84" : "gaode") + "&callnative=1";
    var wl = w[0].toFixed(6), wg = w[1].toFixed(6);
    var geo = "geo:" + wl + "," + wg + "?q=" + wl + "," + wg + "(" + quote(name) + ")";
    return [["高德地图", amap], ["手机地图", geo]];
  }

  // ------------------------------------------------------------ distances and cells
  var R = 6371008.8; // mean Earth radius, metres
  function haversine(lat1, lng1, lat2, lng2) {
    var r = PI / 180;
    var a = Math.pow(Math.sin((lat2 - lat1) * r / 2), 2) +
      Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.pow(Math.sin((lng2 - lng1) * r / 2), 2);
    return 2 * R * Math.asin(Math.min(1, Math.sqrt(a)));
  }

  /* Cells of the index as [{iy, ix, n}]: a row is [row, first column, "base-36 counts"]. */
  function cellsOf(index) {
    var out = [];
    index.rows.forEach(function (row) {
      for (var j = 0; j < row[2].length; j++) {
        var n = parseInt(row[2].charAt(j), 36);
        if (n) out.push({ iy: row[0], ix: row[1] + j, n: n });
      }
    });
    return out;
  }

  /* A lower bound of the distance from (lat, lng) to any point of the cell (metres). */
  function cellBound(c, d, lat, lng) {
    var la = Math.min(Math.max(lat, c.iy * d), (c.iy + 1) * d);
    var lo = Math.min(Math.max(lng, c.ix * d), (c.ix + 1) * d);
    if (la === lat && lo === lng) return 0;
    return Math.max(0, haversine(lat, lng, la, lo) * 0.995 - 1);
  }

  /* The k nearest stations to a GCJ-02 position, fetching as few cells as it can:
     first the nearest cells until they hold k stations (their counts are in the index), then
     every other cell that could hold something nearer than the k-th found. Resolves to
     {items: [{s, m}], cells: n}. */
  function nearest(index, lat, lng, k, getCell) {
    var d = index.d;
    var cells = cellsOf(index).map(function (c) {
      c.bound = cellBound(c, d, lat, lng);
      return c;
    }).sort(function (a, b) { return a.bound - b.bound; });
    var found = [], fetched = 0, next = 0;

    function take(batch) {
      fetched += batch.length;
      return Promise.all(batch.map(function (c) { return getCell(c.iy, c.ix); })).then(function (files) {
        files.forEach(function (f) {
          f.s.forEach(function (s) {
            var p = s[9] ? wgs84ToGcj02(s[3], s[4]) : [s[3], s[4]];
            found.push({ s: s, f: f, m: haversine(lat, lng, p[0], p[1]) });
          });
        });
        found.sort(function (a, b) { return a.m - b.m || (a.s[0] < b.s[0] ? -1 : 1); });
      });
    }
    var first = [], count = 0;
    while (next < cells.length && count < k) {
      first.push(cells[next]);
      count += cells[next++].n;
    }
    return take(first).then(function () {
      var limit = found.length >= k ? found[k - 1].m : Infinity;
      var more = [];
      while (next < cells.length && cells[next].bound <= limit) more.push(cells[next++]);
      return more.length ? take(more) : null;
    }).then(function () {
      return { items: found.slice(0, k), cells: fetched };
    });
  }

  // ------------------------------------------------------------ opening hours
  function hm(min) {
    var h = Math.floor(min / 60), m = min % 60;
    return h + ":" + (m < 10 ? "0" : "") + m;
  }
  /* [class, label, detail] for a station at Date ``now``. */
  function openState(s, f, now) {
    var week = s[7] >= 0 ? f.h[s[7]][1] : null;
    var day = (now.getDay() + 6) % 7; // Monday 0
    var today = week ? week[day] : null;
    var extra = "";
    var od = s[8];
    if (od && ((od[0] === "m" && +od.slice(1) === now.getDate()) || (od[0] === "w" && +od.slice(1) === day))) {
      extra = "今天是固定活动日";
    }
    if (!today) return ["unknown", "时间未知", extra];
    if (!today.length) return ["closed", "今日休息", extra];
    var t = now.getHours() * 60 + now.getMinutes();
    var spans = today.map(function (p) { return hm(p[0]) + "–" + hm(p[1]); }).join("、");
    for (var i = 0; i < today.length; i++) {
      if (today[i][0] <= t && t < today[i][1]) return ["open", "开放中", "今日 " + spans + (extra ? ";" + extra : "")];
    }
    return ["later", "现在未开放", "今日 " + spans + (extra ? ";" + extra : "")];
  }

  // ------------------------------------------------------------ page
  function distText(m) {
    if (m < 1000) return "约 " + Math.max(10, Math.round(m / 10) * 10) + " 米";
    return "约 " + (m < 10000 ? (m / 1000).toFixed(1) : Math.round(m / 1000)) + " 公里";
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }
  function link(cls, href, text) {
    var a = el("a", cls, text);
    a.href = href;
    return a;
  }

  function item(home, walk, s, f, metres, now) {
    var li = el("li", "wm-near");
    var head = el("p", "wm-near__name");
    head.appendChild(link("", home + "stations/" + s[0] + "/", s[1]));
    head.appendChild(document.createTextNode(" "));
    head.appendChild(el("span", "wm-tag", s[2]));
    li.appendChild(head);
    if (metres !== null) {
      var mins = Math.max(1, Math.ceil(metres / walk));
      var dist = el("p", "wm-near__dist", "直线距离" + distText(metres) + " · 步行约 " + mins + " 分钟");
      dist.setAttribute("data-metres", String(Math.round(metres * 10) / 10));
      li.appendChild(dist);
    }
    var st = openState(s, f, now);
    var open = el("p", "wm-near__open wm-open--" + st[0]);
    open.appendChild(el("strong", "", st[1]));
    if (st[2]) open.appendChild(document.createTextNode(" " + st[2]));
    if (st[0] === "unknown" && s[7] >= 0) open.appendChild(el("span", "wm-near__hours", " 开放时间:" + f.h[s[7]][0]));
    li.appendChild(open);
    var acts = el("p", "wm-near__actions");
    if (s[6]) acts.appendChild(link("wm-button wm-button--call", "tel:" + s[6], "拨打 " + s[5]));
    if (s[3] !== null && s[4] !== null) {
      mapLinks(s[1], s[3], s[4], s[9]).forEach(function (l) {
        acts.appendChild(document.createTextNode(" "));
        acts.appendChild(link("wm-button wm-button--ghost", l[1], l[0]));
      });
    }
    li.appendChild(acts);
    return li;
  }

  function start(root) {
    var data = root.getAttribute("data-data");
    var home = root.getAttribute("data-home");
    var walk = +root.getAttribute("data-walk"); // metres a minute (WALK_M_PER_MIN in nearby.py)
    var status = root.querySelector(".wm-nearby__status");
    var list = root.querySelector(".wm-nearby__list");
    var note = root.querySelector(".wm-nearby__note");
    var locate = root.querySelector(".wm-nearby__locate");
    var towns = document.getElementById("wm-towns");
    var bytes = 0, indexBytes = 0;

    function get(path) {
      return fetch(data + path).then(function (r) {
        if (!r.ok) throw new Error(path + ": " + r.status);
        return r.text();
      }).then(function (t) {
        var size = new Blob([t]).size;
        if (path === "index.json") indexBytes = size;
        else bytes += size;
        return JSON.parse(t);
      });
    }
    // The index is read while the phone looks for its position; its bytes count for the answer.
    var index = null;
    function getIndex() {
      return index || (index = get("index.json"));
    }
    function say(text, why) {
      status.textContent = text;
      root.setAttribute("data-state", why);
    }
    function show(rows, title) {
      list.textContent = "";
      var now = new Date();
      rows.forEach(function (r) { list.appendChild(item(home, walk, r.s, r.f, r.m, now)); });
      list.hidden = false;
      note.hidden = rows.every(function (r) { return r.m === null; });
      if (title) say(title, root.getAttribute("data-state") || "town");
    }
    function fallback(why, text) {
      say(text + "请在下面选择您所在的镇(街道)。", why);
      towns.hidden = false;
    }

    function found(pos) {
      var t0 = performance.now();
      bytes = 0;
      var g = wgs84ToGcj02(pos.coords.latitude, pos.coords.longitude);
      getIndex().then(function (idx) {
        if (!idx.n) return fallback("nodata", "本站还没有阵地的位置信息,无法按距离排列。");
        return nearest(idx, g[0], g[1], 10, function (iy, ix) {
          return get("c/" + iy + "_" + ix + ".json");
        }).then(function (res) {
          var rows = res.items;
          if (!rows.length) return fallback("nodata", "附近没有找到实践站。");
          root.setAttribute("data-state", "located");
          show(rows);
          var far = rows[0].m > 50000;
          say((far ? "您的位置离本地区的阵地很远(最近的也有" + distText(rows[0].m) + "),可能不在本地区。" : "") +
            "离您最近的 " + rows.length + " 个实践站(按直线距离排列):", far ? "far" : "located");
          towns.hidden = false;
          root.setAttribute("data-ms", String(Math.round(performance.now() - t0)));
          root.setAttribute("data-bytes", String(bytes + indexBytes));
          root.setAttribute("data-cells", String(res.cells));
          root.setAttribute("data-position", g[0] + "," + g[1]);
        });
      }).catch(function () {
        fallback("error", "读取阵地数据失败,请检查网络后再试。");
      });
    }
    var reasons = {
      1: ["denied", "您没有允许本页使用手机位置,所以无法按距离排列。"],
      2: ["unavailable", "手机暂时无法确定位置(可能没有打开定位服务,或室内没有信号)。"],
      3: ["timeout", "定位超时,手机暂时无法确定位置。"]
    };
    function ask(fresh) {
      locate.textContent = locate.getAttribute("data-again");
      towns.hidden = true;
      list.hidden = true;
      note.hidden = true;
      if (!window.isSecureContext && location.hostname !== "localhost" && location.hostname !== "127.0.0.1") {
        return fallback("insecure", "本网站不是加密(https)连接,浏览器不允许网页使用位置。");
      }
      if (!navigator.geolocation) {
        return fallback("nogeo", "这个浏览器不能提供位置。");
      }
      say("正在确定您的位置……如手机询问,请选择“允许”。位置只在您的手机上使用,不会发送出去。", "asking");
      navigator.geolocation.getCurrentPosition(found, function (err) {
        var r = reasons[err.code] || reasons[2];
        fallback(r[0], r[1]);
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: fresh === true ? 0 : 60000 });
    }

    towns.addEventListener("click", function (ev) {
      var a = ev.target.closest ? ev.target.closest("a[data-town]") : null;
      if (!a) return;
      ev.preventDefault();
      var name = a.textContent;
      root.setAttribute("data-state", "town");
      say("正在读取" + name + "的实践站……", "town");
      bytes = 0;
      get("t/" + a.getAttribute("data-town") + ".json").then(function (f) {
        show(f.s.map(function (s) { return { s: s, f: f, m: null }; }), name + "的实践站(共 " + f.s.length + " 个):");
        root.setAttribute("data-bytes", String(bytes));
        status.focus();
        status.scrollIntoView();
      }).catch(function () {
        location.href = a.href;
      });
    });
    locate.addEventListener("click", function () { ask(true); });
    getIndex().catch(function () { index = null; });
    // The position is asked for at once when the reader has allowed (or refused) it before; a first
    // visit waits for a tap on the button, with the page's own words in the status line from the
    // first paint (nothing moves): browsers advise asking only on a tap, and Lighthouse counts a
    // question on load against the page's best practices.
    var permissions = navigator.permissions && navigator.permissions.query && window.isSecureContext;
    if (!permissions) return ask();
    navigator.permissions.query({ name: "geolocation" }).then(function (p) {
      if (p.state !== "prompt") return ask();
      root.setAttribute("data-state", "ready");
    }, function () { ask(); });
  }

  var api = { wgs84ToGcj02: wgs84ToGcj02, gcj02ToWgs84: gcj02ToWgs84, mapLinks: mapLinks, haversine: haversine,
    nearest: nearest, openState: openState, quote: quote };
  if (typeof module !== "undefined" && module.exports) {
    module.exports = api;
  } else if (typeof document !== "undefined") {
    var root = document.getElementById("wm-nearby");
    // A browser too old for fetch keeps the page as it is without a script: the list of towns.
    if (root && root.hasAttribute("data-data") && window.fetch && window.Promise) start(root);
  }
})();
