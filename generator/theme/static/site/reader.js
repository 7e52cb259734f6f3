/* wenming reader aids: the 长辈版/标准版 switch and 朗读 (read the page aloud).
   Deferred; the small inline script in main.html (allowed by its hash in the site's strict
   Content-Security-Policy) has put the remembered 长辈版 on <html> before the first paint. Without JavaScript the standard page is
   complete; these are additions. Nothing is sent anywhere: the choice stays in localStorage and
   speech uses the browser's own voices (Web Speech API). */
(function () {
  "use strict";
  var KEY = "wenming-reader";  // read before the first paint by the inline script of main.html too
  var root = document.documentElement;

  function remembered() {
    try { return localStorage.getItem(KEY) === "elder"; } catch (e) { return false; }
  }
  function remember(on) {
    try { if (on) localStorage.setItem(KEY, "elder"); else localStorage.removeItem(KEY); } catch (e) { /* private mode */ }
  }
  if (remembered()) root.classList.add("wm-elder");

  function button(cls, text, title) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = cls;
    b.textContent = text;
    if (title) b.title = title;
    return b;
  }

  // ------------------------------------------------------------ 长辈版 / 标准版
  function addSwitch() {
    var bar = document.querySelector(".md-header__inner");
    if (!bar || bar.querySelector(".wm-mode")) return;
    var b = button("wm-mode md-header__button", "", "");
    function show() {
      var elder = root.classList.contains("wm-elder");
      b.textContent = elder ? "标准版" : "长辈版";
      b.title = elder ? "切换到标准版" : "切换到长辈版(大字、大按钮、高对比)";
      b.setAttribute("aria-label", b.title);
    }
    b.addEventListener("click", function () {
      var on = !root.classList.contains("wm-elder");
      root.classList.toggle("wm-elder", on);
      remember(on);
      show();
    });
    show();
    var title = bar.querySelector(".md-header__title");
    bar.insertBefore(b, title ? title.nextSibling : null);
  }

  // ------------------------------------------------------------ 朗读
  var synth = window.speechSynthesis;

  function chineseVoice() {
    if (!synth || typeof SpeechSynthesisUtterance === "undefined") return null;
    var voices = synth.getVoices() || [];
    var traditional = /^zh-(Hant|TW|HK|MO)/i.test(root.lang);
    var prefer = traditional ? /^zh[-_](TW|HK|Hant)/i : /^zh[-_](CN|Hans)/i;
    var zh = voices.filter(function (v) { return /^(zh|cmn)/i.test(v.lang); });
    return zh.filter(function (v) { return prefer.test(v.lang); })[0] || zh[0] || null;
  }

  function readableText(article) {
    // The laid-out text (line breaks between blocks), less the breadcrumbs and the controls.
    var text = article.innerText || article.textContent || "";
    var drop = article.querySelectorAll(".wm-speak, .wm-crumbs, .headerlink, [aria-hidden='true']");
    for (var i = 0; i < drop.length; i++) {
      var t = (drop[i].innerText || "").trim();
      if (t) text = text.replace(t, "");
    }
    return text.replace(/[ \t]+/g, " ");
  }

  function chunks(text) {
    // Short utterances: some engines stop a long one after about fifteen seconds.
    var out = [], cur = "";
    function push(p) {
      while (p.length > 120) {  // a very long sentence: cut at a comma or a space
        var at = Math.max(p.lastIndexOf("，", 120), p.lastIndexOf("、", 120), p.lastIndexOf(" ", 120));
        if (at < 40) at = 120;
        out.push(p.slice(0, at + 1));
        p = p.slice(at + 1);
      }
      return p;
    }
    text.replace(/([。！？；!?;\n])/g, "$1\u0000").split("\u0000").forEach(function (p) {
      p = p.trim();
      if (!p) return;
      if ((cur + p).length > 120 && cur) { out.push(cur); cur = ""; }
      cur = push(cur + p);
    });
    if (cur) out.push(cur);
    return out;
  }

  function addSpeech(voice) {
    var article = document.querySelector("article.md-content__inner");
    if (!article || article.querySelector(".wm-speak")) return;
    var box = document.createElement("div");
    box.className = "wm-speak";
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", "朗读本页");
    var play = button("wm-speak__play", "朗读本页", "用本机的中文语音朗读本页正文");
    var pause = button("wm-speak__pause", "暂停");
    var stop = button("wm-speak__stop", "停止");
    pause.hidden = stop.hidden = true;
    box.appendChild(play); box.appendChild(pause); box.appendChild(stop);

    function idle() {
      play.hidden = false; pause.hidden = stop.hidden = true; pause.textContent = "暂停";
    }
    play.addEventListener("click", function () {
      synth.cancel();
      var queue = chunks(readableText(article));
      queue.forEach(function (text, i) {
        var u = new SpeechSynthesisUtterance(text);
        u.voice = voice;
        u.lang = voice.lang;
        u.rate = 0.9;
        if (i === queue.length - 1) u.onend = idle;
        synth.speak(u);
      });
      play.hidden = true; pause.hidden = stop.hidden = false;
      pause.focus();
    });
    pause.addEventListener("click", function () {
      if (synth.paused) { synth.resume(); pause.textContent = "暂停"; }
      else { synth.pause(); pause.textContent = "继续"; }
    });
    stop.addEventListener("click", function () { synth.cancel(); idle(); play.focus(); });
    window.addEventListener("pagehide", function () { synth.cancel(); });
    var first = article.querySelector("h1");
    if (first) first.parentNode.insertBefore(box, first.nextSibling);
    else article.insertBefore(box, article.firstChild);
    root.classList.add("wm-tts-on");  // the room kept under the <h1> (site.css) goes to the control
  }

  function trySpeech() {
    var voice = chineseVoice();
    if (voice) addSpeech(voice);
    return !!voice;
  }

  function start() {
    addSwitch();
    if (!synth) return;
    if (!trySpeech() && synth.addEventListener) {
      // Voices load late in some browsers: show the control once a Chinese one arrives.
      synth.addEventListener("voiceschanged", function again() {
        if (trySpeech()) synth.removeEventListener("voiceschanged", again);
      });
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
