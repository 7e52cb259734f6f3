/* Material for MkDocs 9.x, partials/javascripts/base.html, moved out of the page (the site's
 * Content-Security-Policy runs no inline script): the scope of Material's local storage and
 * its small helpers. The page gives the scope in the data-scope attribute of this script. */
var __md_scope = new URL(document.currentScript.getAttribute("data-scope") || ".", location),
  __md_hash = function (e) { return [].concat(Array.from(e)).reduce(function (e, _) { return (e << 5) - e + _.charCodeAt(0); }, 0); },
  __md_get = function (e, _, t) { _ = _ || localStorage; t = t || __md_scope; return JSON.parse(_.getItem(t.pathname + "." + e)); },
  __md_set = function (e, _, t, a) { t = t || localStorage; a = a || __md_scope; try { t.setItem(a.pathname + "." + e, JSON.stringify(_)); } catch (e) {} };
