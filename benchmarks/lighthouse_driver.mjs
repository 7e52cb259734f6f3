// Runs Lighthouse (npm `lighthouse`, package.json) on several URLs, one after the other, in one
// headless Chromium (CHROME_PATH, else chrome-launcher's search), mobile form factor and Lighthouse's
// default simulated throttling (slow 4G, 4x CPU slowdown).
// argv: <categories, comma-separated> <url> [<url> ...]
// stdout: one JSON line per URL: {"url", "scores": {category: 0-100}, "metrics": {fcp, lcp, tbt, cls, si},
//          "failed": [ids of the scored audits below 1 in the asked categories], "error"}
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";

const [categories, ...urls] = process.argv.slice(2);
const only = categories.split(",");
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH || undefined,
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"],
});
// Stopped (the benchmark's timeout, Ctrl-C): the browser goes too.
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => { chrome.kill(); process.exit(1); });
}
const METRICS = {
  fcp: "first-contentful-paint", lcp: "largest-contentful-paint", tbt: "total-blocking-time",
  cls: "cumulative-layout-shift", si: "speed-index",
};
try {
  for (const url of urls) {
    const line = { url, scores: {}, metrics: {}, failed: [] };
    try {
      const result = await lighthouse(url, { port: chrome.port, output: "json", logLevel: "error",
                                              onlyCategories: only });
      const lhr = result.lhr;
      if (lhr.runtimeError) line.error = lhr.runtimeError.code + ": " + lhr.runtimeError.message;
      for (const [id, cat] of Object.entries(lhr.categories)) {
        line.scores[id] = cat.score === null ? null : Math.round(cat.score * 100);
        for (const ref of cat.auditRefs) {
          const audit = lhr.audits[ref.id];
          if (ref.weight > 0 && audit.score !== null && audit.score < 1 && id !== "performance") {
            line.failed.push(id + "/" + ref.id);
          }
        }
      }
      for (const [key, id] of Object.entries(METRICS)) {
        const audit = lhr.audits[id];
        if (audit && audit.numericValue !== undefined) line.metrics[key] = audit.numericValue;
      }
      const dom = lhr.audits["dom-size"];
      if (dom && dom.numericValue !== undefined) line.metrics.dom = dom.numericValue;
      const blocking = lhr.audits["render-blocking-resources"];
      if (blocking && blocking.details && blocking.details.items) {
        line.blocking = blocking.details.items.map((i) => i.url.replace(/^https?:\/\/[^/]+/, "") + " " + Math.round(i.wastedMs) + " ms");
      }
      const shifts = lhr.audits["layout-shifts"];
      if (shifts && shifts.details && shifts.details.items) {
        line.shifts = shifts.details.items.map((i) => (i.node && i.node.selector || "?") + " " + i.score.toFixed(3));
      }
    } catch (e) {
      line.error = String(e && e.message || e);
    }
    process.stdout.write(JSON.stringify(line) + "\n");
  }
} finally {
  await chrome.kill();
}
