// Browser test of the analyst web page (issue 15): Playwright (playwright-core,
// no browser download) drives Debian's chromium against a real strdb serve.
// Sign in, search a genotype and see the planted hit, open its side-by-side
// view, produce the report (a PDF download), run a Y search, and be refused
// an action the role may not do. Screenshots go to $SHOTS. Prints PASS/FAIL.
import { chromium } from "playwright-core";
import fs from "node:fs";

const [url, token, genotype, planted, haplotype, shots, custodian, gmfile] = process.argv.slice(2);
let failed = 0;
function check(name, ok, why) {
  console.log((ok ? "PASS " : "FAIL ") + "browser: " + name + (ok || !why ? "" : " (" + why + ")"));
  if (!ok) failed++;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1200, height: 900 } });
const page = await context.newPage();
const errors = [];
// refused requests show as "Failed to load resource" (the 401/403 the test provokes);
// script errors and CSP violations ("Refused to ...") are what counts
page.on("console", (m) => {
  if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text());
});
page.on("pageerror", (e) => errors.push(String(e)));
try {
  await page.goto(url + "/");
  await page.screenshot({ path: shots + "/1-sign-in.png" });
  check("the sign-in form is shown first", await page.isVisible("#signin-form"));

  await page.fill("#token", "0".repeat(64));
  await page.click("#signin-form button[type=submit]");
  await page.waitForSelector("#signin-error:not(:empty)");
  check("a wrong token is refused on the page", (await page.textContent("#signin-error")).includes("not accepted"));

  await page.fill("#token", token);
  await page.press("#token", "Enter");
  await page.waitForSelector("#app:not([hidden])");
  check("signing in shows the search", await page.isVisible("#search-form"));
  check("the token is kept out of cookies", (await context.cookies()).length === 0);

  await page.setInputFiles("#gm-file", gmfile);
  await page.waitForFunction(() => !document.querySelector("#gm-sample").disabled);
  check("a GeneMapper export's samples fill the genotype for a search",
        (await page.inputValue("#genotype")).includes("D3S1358=15/16"), await page.inputValue("#genotype"));

  await page.fill("#case", "CASE-2026-WEB");
  await page.fill("#genotype", genotype);
  await page.press("#genotype", "Enter");
  await page.waitForSelector("#hits:not([hidden]) tbody tr");
  const first = await page.textContent("#hits tbody tr:first-child td:nth-child(2)");
  check("the search finds the planted profile first", first === planted, "first hit " + first);
  await page.screenshot({ path: shots + "/2-results.png" });

  await page.keyboard.press("Enter"); // the first row has the focus: Enter opens it
  await page.waitForSelector("#detail:not([hidden]) #detail-table tbody tr");
  const statuses = await page.$$eval("#detail-table tbody td.status", (t) => t.map((x) => x.textContent));
  check("the side-by-side view lists every locus, all matching", statuses.length >= 8 &&
        statuses.every((s) => s === "match"), statuses.join(","));
  await page.waitForFunction(() => document.querySelector("#detail-stats").textContent.includes("1 in"));
  check("the side-by-side view gives the random match probability",
        (await page.textContent("#detail-stats")).includes("NRC II"));
  await page.screenshot({ path: shots + "/3-side-by-side.png", fullPage: true });

  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#report-pdf")]);
  const pdf = shots + "/report.pdf";
  await download.saveAs(pdf);
  const head = fs.readFileSync(pdf).subarray(0, 5).toString();
  check("the Report button gives a PDF of the search and the candidate", head === "%PDF-", head);

  await page.click("#tab-ysearch");
  await page.fill("#haplotype", haplotype);
  await page.click("#ysearch-form button[type=submit]");
  await page.waitForSelector("#ysearch-summary:not(:empty)");
  const yrows = await page.$$("#yhits tbody tr");
  check("a Y search lists the haplotypes near the query", yrows.length > 0, (await page.textContent("#ysearch-summary")));
  await page.waitForSelector("#lineage-drawing svg");
  check("the Y search shows the query's lineage with its members and drawing",
        (await page.$$("#lineage-members tbody tr")).length >= 2 && (await page.$$("#lineage-drawing svg")).length === 1);
  await page.screenshot({ path: shots + "/4-ysearch-lineage.png", fullPage: true });
  await page.click("#view-network");
  await page.waitForFunction(() => document.querySelector("#lineage-drawing").textContent.includes("distinct"));
  check("the lineage's haplotype network is drawn on request",
        (await page.textContent("#lineage-drawing")).includes("2 haplotypes, 2 distinct"));

  await page.click("#tab-familial");
  await page.fill("#f-genotype", genotype);
  await page.click("#familial-form button[type=submit]");
  await page.waitForSelector("#familial-error:not(:empty)");
  check("familial search without an authorization reference is refused",
        (await page.textContent("#familial-error")).startsWith("Refused:"), await page.textContent("#familial-error"));
  await page.fill("#f-auth", "WARRANT-2026-3");
  await page.click("#familial-form button[type=submit]");
  await page.waitForSelector("#fhits:not([hidden]) tbody tr");
  check("familial search with an authorization lists candidates with their LRs",
        (await page.textContent("#fhits tbody tr:first-child td:nth-child(2)")) === planted);
  await page.screenshot({ path: shots + "/5-familial.png", fullPage: true });

  await page.click("#tab-mp");
  await page.click("#mp-form button[type=submit]");
  await page.waitForSelector("#mphits:not([hidden]) tbody tr");
  const mp = await page.$$eval("#mphits tbody tr", (rows) => rows.map((r) => r.textContent));
  check("missing-person search ranks each related remains with its family",
        mp.some((t) => t.startsWith("UHR-001FAM-A")) && mp.some((t) => t.startsWith("UHR-004FAM-C")), mp.join(" | "));
  await page.screenshot({ path: shots + "/6-missing-persons.png", fullPage: true });

  await page.click("#tab-audit");
  await page.click("#audit-load");
  await page.waitForSelector("#audit-error:not(:empty)");
  check("an analyst is refused the audit log, with the reason",
        (await page.textContent("#audit-error")).startsWith("Refused:"), await page.textContent("#audit-error"));
  await page.screenshot({ path: shots + "/7-refused.png", fullPage: true });

  await page.click("#tab-import");
  await page.setInputFiles("#import-file", { name: "x.csv", mimeType: "text/csv", buffer: Buffer.from("sample_id,TH01.1,TH01.2\nA,6,7\n") });
  await page.click("#import-form button[type=submit]");
  await page.waitForSelector("#import-error:not(:empty)");
  check("an analyst is refused an import", (await page.textContent("#import-error")).includes("may not import"),
        await page.textContent("#import-error"));

  // a custodian imports a file with a bad record: the valid ones in, the reject listed by line
  await page.click("#signout");
  await page.waitForSelector("#signin-form");
  await page.fill("#token", custodian);
  await page.press("#token", "Enter");
  await page.waitForSelector("#app:not([hidden])");
  await page.click("#tab-import");
  const hdr = "sample_id,D3S1358.1,D3S1358.2,vWA.1,vWA.2,FGA.1,FGA.2,D8S1179.1,D8S1179.2,D21S11.1,D21S11.2,D18S51.1,D18S51.2,D5S818.1,D5S818.2,D13S317.1,D13S317.2,TH01.1,TH01.2,D16S539.1,D16S539.2";
  const good = "WEB-1,16,17,17,18,21,25,13,14,29,30,14,15,11,12,11,11,6,9.3,11,12";
  const bad = "WEB-2,16,17,17,18,21,25,13,14,29,30,14,15,11,12,11,11,6,x9,11,12";
  await page.setInputFiles("#import-file", { name: "intake.csv", mimeType: "text/csv", buffer: Buffer.from(hdr + "\n" + good + "\n" + bad + "\n") });
  await page.check("#import-skip");
  await page.click("#import-form button[type=submit]");
  await page.waitForSelector("#rejects:not([hidden]) tbody tr");
  check("an import lists its rejects by line and field",
        (await page.textContent("#rejects tbody tr td:first-child")) === "3" &&
        (await page.textContent("#import-summary")).includes("1 of 2 records imported"), await page.textContent("#import-summary"));
  await page.screenshot({ path: shots + "/8-import-rejects.png", fullPage: true });

  // the custodian registers a kit and walks its sample: refused out of order, then in order
  await page.click("#tab-intake");
  await page.fill("#kit-type", "Bode SecurSwab 2");
  await page.fill("#kit-lot", "L-WEB");
  await page.click("#kit-form button[type=submit]");
  await page.waitForSelector("#kit-accessions li");
  const acc = await page.textContent("#kit-accessions li");
  check("registering a kit issues an accession number", /^SDB\d\d-\d{7}-\d$/.test(acc), acc);
  await page.selectOption("#ev-event", "received");
  await page.fill("#ev-place", "Central lab");
  await page.click("#event-form button[type=submit]");
  await page.waitForSelector("#intake-error:not(:empty)");
  check("an event out of order is refused with the reason",
        (await page.textContent("#intake-error")).includes("'received' before 'collected'"), await page.textContent("#intake-error"));
  await page.selectOption("#ev-event", "collected");
  await page.fill("#ev-place", "Police station 4");
  await page.fill("#ev-basis", "arrest");
  await page.click("#event-form button[type=submit]");
  await page.waitForSelector("#events:not([hidden]) tbody tr");
  await page.selectOption("#ev-event", "received");
  await page.fill("#ev-place", "Central lab");
  await page.fill("#ev-accession", acc);
  await page.press("#ev-accession", "Enter");
  await page.waitForFunction(() => document.querySelectorAll("#events tbody tr").length === 2);
  const evs = await page.$$eval("#events tbody tr", (rows) => rows.map((r) => r.children[1].textContent + "@" + r.children[4].textContent));
  check("the chain lists both events with their places", evs.join() === "collected@Police station 4,received@Central lab", evs.join());
  await page.waitForSelector("#label-drawing img");
  check("the sample's label is drawn beside the chain",
        await page.$eval("#label-drawing img", (i) => i.complete && i.naturalWidth > 200));
  await page.screenshot({ path: shots + "/9-intake.png", fullPage: true });
  check("no script errors and no CSP violations on the page", errors.length === 0, errors.join(" | "));
} catch (e) {
  check("the browser run completes", false, String(e));
  await page.screenshot({ path: shots + "/error.png", fullPage: true }).catch(() => {});
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
