// make bench (bench/serve.sh): identity searches against a running `strdb serve`.
// node serve_client.mjs URL TOKEN QUERIES.txt CONCURRENCY REQUESTS
// QUERIES.txt: one genotype string per line. Prints one JSON line: requests per
// second, latency percentiles (ms) and the share of answers that were 200.
import { readFileSync } from "node:fs";

const [url, token, file, conc, total] = process.argv.slice(2);
const queries = readFileSync(file, "utf8").trim().split("\n");
const n = Number(total), c = Number(conc);
const lat = [];
let next = 0, ok = 0, hits = 0, firstError = "";

async function worker() {
  while (next < n) {
    const i = next++;
    const body = JSON.stringify({ genotype: queries[i % queries.length], stringency: "high", limit: 10 });
    const t0 = performance.now();
    const res = await fetch(url + "/api/v1/search", {
      method: "POST",
      headers: { Authorization: "Bearer " + token, "Content-Type": "application/json", "X-Strdb-Purpose": "casework" },
      body,
    });
    const data = await res.json();
    lat.push(performance.now() - t0);
    if (res.status !== 200 && !firstError) firstError = res.status + " " + JSON.stringify(data);
    if (res.status === 200) {
      ok++;
      hits += data.hits && data.hits.length ? 1 : 0;
    }
  }
}

const t0 = performance.now();
await Promise.all(Array.from({ length: c }, worker));
const secs = (performance.now() - t0) / 1000;
lat.sort((a, b) => a - b);
const pct = (p) => Number(lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))].toFixed(2));
console.log(JSON.stringify({
  concurrency: c, requests: n, seconds: Number(secs.toFixed(2)), requests_per_s: Number((n / secs).toFixed(1)),
  p50_ms: pct(50), p90_ms: pct(90), p99_ms: pct(99), max_ms: Number(lat[lat.length - 1].toFixed(2)),
  ok_share: ok / n, with_hits_share: hits / n,
}));
if (firstError) console.error("[bench] first error: " + firstError);
