// strdb web page: a thin client of /api/v1 (docs/http-api.md). The token is
// kept in sessionStorage for this tab and sent in the Authorization header;
// nothing is stored in cookies, so no other site can act with it.
"use strict";

const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem("strdb-token") || "";
let lastQuery = null;
let lastRecord = null;
let currentHit = null;

function headers(json) {
  const h = { Authorization: "Bearer " + token, "X-Strdb-Purpose": $("purpose").value };
  if ($("case").value.trim()) h["X-Strdb-Case"] = $("case").value.trim();
  if (json) h["Content-Type"] = "application/json";
  return h;
}

async function api(method, path, body, contentType) {
  const opts = { method, headers: headers(body !== undefined && !contentType) };
  if (contentType) opts.headers["Content-Type"] = contentType;
  if (body !== undefined) opts.body = contentType ? body : JSON.stringify(body);
  const res = await fetch("/api/v1" + path, opts);
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (!res.ok) {
    const err = data && data.error ? data.error : { code: String(res.status), message: res.statusText };
    const e = new Error(err.message + (err.field ? " (field " + err.field + ")" : ""));
    e.status = res.status;
    e.code = err.code;
    throw e;
  }
  return data;
}

function cell(tr, text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  tr.appendChild(td);
  return td;
}

function clear(tbody) { while (tbody.firstChild) tbody.removeChild(tbody.firstChild); }

function show(el, on) { el.hidden = !on; }

function fail(id, e) {
  $(id).textContent = e.status === 403 ? "Refused: " + e.message
    : e.status === 401 ? "Not signed in or the token is wrong: " + e.message : e.message;
}

// ---- sign in ----

async function signIn(t) {
  token = t;
  try {
    await api("GET", "/stat");
  } catch (e) {
    if (e.status === 401) {
      token = "";
      sessionStorage.removeItem("strdb-token");
      $("signin-error").textContent = "The token was not accepted.";
      return;
    }
  }
  sessionStorage.setItem("strdb-token", token);
  $("signin-error").textContent = "";
  show($("signin"), false);
  show($("app"), true);
  show($("signout"), true);
  $("who").textContent = "signed in";
  $("genotype").focus();
}

$("signin-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  signIn($("token").value.trim());
  $("token").value = "";
});

$("signout").addEventListener("click", () => {
  sessionStorage.removeItem("strdb-token");
  token = "";
  location.reload();
});

// ---- tabs (arrow keys move between them) ----

const tabs = ["search", "ysearch", "familial", "mp", "import", "intake", "audit"];
function selectTab(name) {
  for (const t of tabs) {
    const on = t === name;
    $("tab-" + t).setAttribute("aria-selected", on ? "true" : "false");
    $("tab-" + t).tabIndex = on ? 0 : -1;
    show($("view-" + t), on);
  }
  $("tab-" + name).focus();
}
tabs.forEach((t, i) => {
  $("tab-" + t).addEventListener("click", () => selectTab(t));
  $("tab-" + t).addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowRight") selectTab(tabs[(i + 1) % tabs.length]);
    if (ev.key === "ArrowLeft") selectTab(tabs[(i + tabs.length - 1) % tabs.length]);
  });
});

// ---- identity search ----

function statusClass(s) {
  return s === "match" ? "match" : s === "partial" ? "partial" : s === "mismatch" ? "mismatch" : "one-sided";
}

async function report(format) {
  $("report-error").textContent = "";
  if (!lastRecord || !currentHit) return;
  try {
    const res = await fetch("/api/v1/report?record=" + lastRecord + "&candidate=" +
      encodeURIComponent(currentHit.sample_id) + "&format=" + format, { headers: headers(false) });
    if (!res.ok) {
      const data = await res.json();
      throw new Error(data.error ? data.error.message : res.statusText);
    }
    const blob = await res.blob();
    const a = $("report-link");
    a.href = URL.createObjectURL(blob);
    a.download = "report-" + lastRecord + "-" + currentHit.sample_id + "." + format;
    a.textContent = "Download " + a.download;
    a.hidden = false;
    a.click();
  } catch (e) {
    $("report-error").textContent = "Report: " + e.message;
  }
}
$("report-pdf").addEventListener("click", () => report("pdf"));
$("report-html").addEventListener("click", () => report("html"));

async function showDetail(hit, row) {
  currentHit = hit;
  $("report-link").hidden = true;
  $("report-error").textContent = "";
  document.querySelectorAll("#hits tbody tr").forEach((r) => r.classList.remove("selected"));
  row.classList.add("selected");
  $("detail-title").textContent = "Query and " + hit.sample_id + ", locus by locus";
  const tbody = $("detail-table").querySelector("tbody");
  clear(tbody);
  for (const l of hit.loci || []) {
    const tr = document.createElement("tr");
    tr.className = statusClass(l.status);
    cell(tr, l.locus);
    cell(tr, l.query ? l.query.join(", ") : "-", "alleles");
    cell(tr, l.candidate ? l.candidate.join(", ") : "-", "alleles");
    cell(tr, l.status, "status");
    tbody.appendChild(tr);
  }
  $("detail-stats").textContent = hit.matching + " loci match, " + hit.mismatching +
    " mismatch, " + hit.shared + " typed in both.";
  show($("detail"), true);
  try {
    const r = await api("POST", "/stats/rmp", { genotype: lastQuery, theta: 0.01 });
    $("detail-stats").textContent += " Random match probability of the query: 1 in " +
      Number(r.one_in).toPrecision(3) + " (the most conservative of " + r.by_population.length +
      " populations: " + r.population + "; theta " + r.theta + ", NRC II 4.10)." +
      ((hit.loci || []).every((l) => l.status === "match" || l.status === "candidate only")
        ? " LR (source against unrelated) " + Number(r.one_in).toPrecision(3) + "."
        : " No LR here: the profiles differ or the candidate lacks query loci (the report computes it on the loci typed in both).");
  } catch (e) {
    if (e.status !== 404) $("detail-stats").textContent += " (RMP: " + e.message + ")";
  }
}

$("search-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("search-error").textContent = "";
  $("search-summary").textContent = "Searching...";
  show($("detail"), false);
  lastQuery = $("genotype").value.trim().replace(/\s+/g, "");
  try {
    const r = await api("POST", "/search", {
      genotype: lastQuery, stringency: $("stringency").value,
      min_loci: Number($("min-loci").value), max_mismatch: Number($("max-mm").value), limit: 100,
    });
    lastRecord = r.record;
    const tbody = $("hits").querySelector("tbody");
    clear(tbody);
    r.hits.forEach((h, i) => {
      const tr = document.createElement("tr");
      tr.tabIndex = 0;
      cell(tr, String(i + 1), "num");
      cell(tr, h.sample_id);
      cell(tr, String(h.shared), "num");
      cell(tr, String(h.matching), "num");
      cell(tr, String(h.mismatching), "num");
      tr.addEventListener("click", () => showDetail(h, tr));
      tr.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); showDetail(h, tr); }
        if (e.key === "ArrowDown" && tr.nextSibling) tr.nextSibling.focus();
        if (e.key === "ArrowUp" && tr.previousSibling) tr.previousSibling.focus();
      });
      tbody.appendChild(tr);
    });
    show($("hits"), r.hits.length > 0);
    $("search-summary").textContent = r.hits.length + " hit" + (r.hits.length === 1 ? "" : "s") +
      " among " + r.searched + " profiles (" + r.stringency + " stringency).";
    if (r.hits.length) tbody.firstChild.focus();
  } catch (e) {
    $("search-summary").textContent = "";
    show($("hits"), false);
    fail("search-error", e);
  }
});

// a GeneMapper export: its samples, one chosen for the search
let parsed = [];
$("gm-file").addEventListener("change", async () => {
  const f = $("gm-file").files[0];
  if (!f) return;
  $("search-error").textContent = "";
  try {
    const r = await api("POST", "/parse?name=" + encodeURIComponent(f.name), await f.text(), "text/plain");
    parsed = r.profiles;
    const sel = $("gm-sample");
    while (sel.firstChild) sel.removeChild(sel.firstChild);
    for (const p of parsed) {
      const o = document.createElement("option");
      o.textContent = p.sample_id + " (" + p.loci + " loci)";
      sel.appendChild(o);
    }
    sel.disabled = parsed.length === 0;
    if (parsed.length) $("genotype").value = parsed[0].genotype;
    $("search-summary").textContent = f.name + ": " + parsed.length + " sample" + (parsed.length === 1 ? "" : "s") +
      (r.rejects.length ? ", " + r.rejects.length + " unreadable (line " + r.rejects[0].line + ": " + r.rejects[0].reason + ")" : "") + ".";
  } catch (e) {
    fail("search-error", e);
  }
});
$("gm-sample").addEventListener("change", () => {
  const p = parsed[$("gm-sample").selectedIndex];
  if (p) $("genotype").value = p.genotype;
});

$("genotype").addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); $("search-form").requestSubmit(); }
});

// ---- Y search ----

$("ysearch-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("ysearch-error").textContent = "";
  try {
    const r = await api("POST", "/ysearch", {
      genotype: $("haplotype").value.trim().replace(/\s+/g, ""), max_loci: Number($("y-max-loci").value),
    });
    const tbody = $("yhits").querySelector("tbody");
    clear(tbody);
    r.hits.forEach((h, i) => {
      const tr = document.createElement("tr");
      cell(tr, String(i + 1), "num");
      cell(tr, h.sample_id);
      for (const k of ["compared", "differing", "steps", "missing"]) cell(tr, String(h[k]), "num");
      tbody.appendChild(tr);
    });
    show($("yhits"), r.hits.length > 0);
    $("ysearch-summary").textContent = r.hits.length + " haplotype" + (r.hits.length === 1 ? "" : "s") +
      " among " + r.searched + ".";
    await showLineage($("haplotype").value.trim().replace(/\s+/g, ""));
  } catch (e) {
    show($("yhits"), false);
    fail("ysearch-error", e);
  }
});

let lineageId = null;

async function drawLineage(view) {
  if (!lineageId) return;
  const res = await fetch("/api/v1/lineage/" + lineageId + ".svg?view=" + view, { headers: headers(false) });
  const box = $("lineage-drawing");
  while (box.firstChild) box.removeChild(box.firstChild);
  if (!res.ok) {
    box.textContent = "No drawing: " + res.status;
    return;
  }
  // the server's own SVG, parsed as SVG (no script runs) and placed in the page
  const svg = new DOMParser().parseFromString(await res.text(), "image/svg+xml").documentElement;
  box.appendChild(document.importNode(svg, true));
}
$("view-tree").addEventListener("click", () => drawLineage("tree"));
$("view-network").addEventListener("click", () => drawLineage("network"));

async function showLineage(haplotype) {
  show($("lineage"), false);
  lineageId = null;
  let r;
  try {
    r = await api("POST", "/lineage/search", { genotype: haplotype });
  } catch (e) {
    return; // no lineages built, or the purpose may not: the Y hits stand alone
  }
  if (!r.lineages.length) return;
  lineageId = r.lineages[0].id;
  $("lineage-title").textContent = "Paternal lineage " + lineageId;
  $("lineage-summary").textContent = r.near_matches + " near match" + (r.near_matches === 1 ? "" : "es") +
    " in " + r.lineages.length + " lineage" + (r.lineages.length === 1 ? "" : "s") + ".";
  const tbody = $("lineage-members").querySelector("tbody");
  clear(tbody);
  for (const m of r.members) {
    const tr = document.createElement("tr");
    cell(tr, m.sample_id);
    cell(tr, m.person || "-");
    cell(tr, String(m.lineage), "num");
    cell(tr, String(m.loci_differing), "num");
    cell(tr, m.meioses_mode + " (" + m.meioses_lower + "-" + m.meioses_upper + ")", "num");
    cell(tr, Number(m.p_close).toFixed(3), "num");
    tbody.appendChild(tr);
  }
  show($("lineage"), true);
  await drawLineage("auto");
}

// ---- familial search ----

$("familial-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("familial-error").textContent = "";
  const h = headers(true);
  if ($("f-auth").value.trim()) h["X-Strdb-Authorization"] = $("f-auth").value.trim();
  if ($("purpose").value === "casework") h["X-Strdb-Purpose"] = "familial";
  try {
    const res = await fetch("/api/v1/familial", { method: "POST", headers: h, body: JSON.stringify({
      genotype: $("f-genotype").value.trim().replace(/\s+/g, ""), relationships: $("f-rels").value.trim(), top: 50 }) });
    const r = await res.json();
    if (!res.ok) { const e = new Error(r.error.message); e.status = res.status; throw e; }
    const tbody = $("fhits").querySelector("tbody");
    clear(tbody);
    r.hits.forEach((x, i) => {
      const tr = document.createElement("tr");
      cell(tr, String(i + 1), "num");
      cell(tr, x.sample_id);
      cell(tr, String(x.compared), "num");
      cell(tr, x.best);
      cell(tr, Object.entries(x.lr).map(([k, v]) => k + " " + Number(v).toPrecision(3)).join(", "));
      tbody.appendChild(tr);
    });
    show($("fhits"), r.hits.length > 0);
    $("familial-summary").textContent = r.hits.length + " candidates among " + r.searched + " profiles.";
  } catch (e) {
    show($("fhits"), false);
    fail("familial-error", e);
  }
});

// ---- missing persons ----

$("mp-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("mp-error").textContent = "";
  const h = headers(true);
  h["X-Strdb-Purpose"] = "missing-person";
  const body = { top: Number($("mp-top").value) };
  if ($("mp-family").value.trim()) { body.family = $("mp-family").value.trim(); body.rank = "family"; }
  try {
    const res = await fetch("/api/v1/mp/search", { method: "POST", headers: h, body: JSON.stringify(body) });
    const r = await res.json();
    if (!res.ok) { const e = new Error(r.error.message); e.status = res.status; throw e; }
    const tbody = $("mphits").querySelector("tbody");
    clear(tbody);
    for (const x of r.hits) {
      const tr = document.createElement("tr");
      cell(tr, x.remains);
      cell(tr, x.family);
      cell(tr, x.missing);
      cell(tr, Number(x.lr).toPrecision(4), "num");
      cell(tr, String(x.loci), "num");
      cell(tr, String(x.references), "num");
      tbody.appendChild(tr);
    }
    show($("mphits"), r.hits.length > 0);
    $("mp-summary").textContent = r.pairs + " pairs compared: " + r.remains_searched + " remains, " +
      r.families + " families; " + r.hits.length + " with LR >= 1.";
  } catch (e) {
    show($("mphits"), false);
    fail("mp-error", e);
  }
});

// ---- import (custodians) ----

$("import-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("import-error").textContent = "";
  $("import-summary").textContent = "";
  const f = $("import-file").files[0];
  if (!f) return;
  const q = "?index=" + encodeURIComponent($("import-index").value) + "&basis=" +
    encodeURIComponent($("import-basis").value) + "&name=" + encodeURIComponent(f.name) +
    ($("import-skip").checked ? "&skip_invalid=1" : "");
  const tbody = $("rejects").querySelector("tbody");
  clear(tbody);
  show($("rejects"), false);
  try {
    const r = await api("POST", "/import" + q, await f.text(), "text/plain");
    $("import-summary").textContent = f.name + ": " + r.imported + " of " + r.records +
      " records imported (batch " + r.batch + ")" + (r.rejected ? ", " + r.rejected + " rejected:" : ".");
    for (const x of r.rejects) {
      const tr = document.createElement("tr");
      cell(tr, String(x.line), "num");
      cell(tr, x.field || "-");
      cell(tr, x.reason);
      tbody.appendChild(tr);
    }
    show($("rejects"), r.rejects.length > 0);
  } catch (e) {
    fail("import-error", e);
  }
});

// ---- sample intake (custodians record; analysts and auditors read) ----

async function showChain(accession) {
  const r = await api("GET", "/intake/samples/" + encodeURIComponent(accession));
  const tbody = $("events").querySelector("tbody");
  clear(tbody);
  for (const x of r.events) {
    const tr = document.createElement("tr");
    cell(tr, x.n, "num");
    cell(tr, x.event);
    cell(tr, x.at);
    cell(tr, x.actor);
    cell(tr, x.place);
    cell(tr, x.basis || "-");
    cell(tr, x.note || "-");
    cell(tr, x.audit_record || "-", "num");
    tbody.appendChild(tr);
  }
  show($("events"), r.events.length > 0);
  $("intake-summary").textContent = r.accession + ": " + r.kit_type + ", lot " + r.lot + "; " + r.state +
    (r.basis ? " (collected under " + r.basis + ")" : "") + "; profile " + r.profile + ".";
  await drawLabel(accession);
}

async function drawLabel(accession) {
  const box = $("label-drawing");
  while (box.firstChild) box.removeChild(box.firstChild);
  const res = await fetch("/api/v1/intake/samples/" + encodeURIComponent(accession) + "/label.svg",
    { headers: headers(false) });
  show($("label-pdf"), res.ok);
  if (!res.ok) return; // only custodians draw labels
  // cairo's SVG styles its glyphs inline: shown as an image (its own document), not in the page
  const img = document.createElement("img");
  img.alt = "label of " + accession;
  img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(await res.text());
  box.appendChild(img);
}

$("event-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("intake-error").textContent = "";
  const acc = $("ev-accession").value.trim();
  const body = { accession: acc, event: $("ev-event").value, place: $("ev-place").value.trim() };
  if ($("ev-basis").value.trim() && body.event === "collected") body.basis = $("ev-basis").value.trim();
  if ($("ev-at").value.trim()) body.at = $("ev-at").value.trim();
  if ($("ev-note").value.trim()) body.note = $("ev-note").value.trim();
  try {
    const r = await api("POST", "/intake/events", body);
    await showChain(acc);
    $("intake-summary").textContent = acc + ": " + r.event + " recorded (audit record " + r.audit_record + "). " +
      $("intake-summary").textContent;
    $("ev-accession").select();
  } catch (e) {
    fail("intake-error", e);
  }
});

$("ev-show").addEventListener("click", async () => {
  $("intake-error").textContent = "";
  try {
    await showChain($("ev-accession").value.trim());
  } catch (e) {
    show($("events"), false);
    fail("intake-error", e);
  }
});

$("label-pdf").addEventListener("click", async () => {
  const acc = $("ev-accession").value.trim();
  const res = await fetch("/api/v1/intake/samples/" + encodeURIComponent(acc) + "/label.pdf", { headers: headers(false) });
  if (!res.ok) return fail("intake-error", new Error("no label: " + res.status));
  const a = $("label-link");
  a.href = URL.createObjectURL(await res.blob());
  a.download = "label-" + acc + ".pdf";
  a.textContent = "Download " + a.download;
  a.hidden = false;
  a.click();
});

$("kit-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("kit-error").textContent = "";
  const body = { type: $("kit-type").value.trim(), lot: $("kit-lot").value.trim(),
    count: Number($("kit-count").value) };
  if ($("kit-expires").value) body.expires = $("kit-expires").value;
  const list = $("kit-accessions");
  clear(list);
  try {
    const r = await api("POST", "/intake/kits", body);
    const n = r.accessions.length;
    $("kit-summary").textContent = n + (n === 1 ? " accession number" : " accession numbers") +
      " issued (kit batch " + r.kit + "):";
    for (const a of r.accessions) {
      const li = document.createElement("li");
      li.textContent = a;
      list.appendChild(li);
    }
    $("ev-accession").value = r.accessions[0];
  } catch (e) {
    fail("kit-error", e);
  }
});

// ---- audit (auditors) ----

$("audit-load").addEventListener("click", async () => {
  $("audit-error").textContent = "";
  try {
    const r = await api("GET", "/audit?limit=500");
    const tbody = $("audit").querySelector("tbody");
    clear(tbody);
    for (const x of r.records) {
      const tr = document.createElement("tr");
      cell(tr, String(x.seq), "num");
      cell(tr, x.at);
      cell(tr, x.actor);
      cell(tr, x.action);
      cell(tr, x.purpose || "-");
      cell(tr, x.case_ref || "-");
      cell(tr, String(x.result_count), "num");
      cell(tr, x.outcome);
      tbody.appendChild(tr);
    }
    show($("audit"), true);
    $("audit-summary").textContent = r.records.length + " records.";
  } catch (e) {
    show($("audit"), false);
    fail("audit-error", e);
  }
});

$("audit-verify").addEventListener("click", async () => {
  $("audit-error").textContent = "";
  try {
    const r = await api("GET", "/audit/verify");
    $("audit-summary").textContent = r.ok ? "The chain verifies: " + r.records + " records, head " +
      r.head.slice(0, 16) + "." : "The chain does NOT verify at record " + r.first_bad + ": " + r.reason;
  } catch (e) {
    fail("audit-error", e);
  }
});

if (token) signIn(token);
