// Browser tests for doumi's widget, pages and report, in Debian's Chromium.
//
//   node widget.test.mjs <doumi base URL> <admin token> <screenshot dir>
//
// Started by tests/browser.rs against a real `doumi serve`. Each check prints
// "ok - name" or throws; the process exits non-zero on the first failure.

import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const [base, token, shots] = process.argv.slice(2);
if (!base || !token || !shots) throw new Error("usage: node widget.test.mjs BASE TOKEN SCREENSHOT_DIR");
fs.mkdirSync(shots, { recursive: true });
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";

function assert(condition, message) {
  if (!condition) throw new Error("assertion failed: " + message);
}

async function check(name, body) {
  const started = Date.now();
  await body();
  console.log(`ok - ${name} (${Date.now() - started} ms)`);
}

// A shop's page on another origin holding nothing but the script tag.
const shop = http.createServer((req, res) => {
  res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
  res.end(`<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>어느 쇼핑몰</title>
<style>body{font-family:serif} input{border:0 !important;display:none !important} li{color:red !important}</style></head>
<body><main><h1>어느 쇼핑몰</h1>
<script src="${base}/widget.js" data-contact-url="${base}/contact-us" data-contact-label="1:1 문의하기"></script>
</main></body></html>`);
});
await new Promise((resolve) => shop.listen(0, "127.0.0.1", resolve));
const shopUrl = `http://127.0.0.1:${shop.address().port}/`;

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const context = await browser.newContext({ locale: "ko-KR", viewport: { width: 1024, height: 800 } });
const page = await context.newPage();
// The pages' content policy must refuse nothing of their own.
const refused = [];
page.on("console", (message) => {
  if (message.text().includes("Content Security Policy")) refused.push(message.text());
});
const cdp = await context.newCDPSession(page);

// Inside the widget's open shadow root.
const widget = {
  input: () => page.locator(".doumi-widget input[role=combobox]"),
  options: () => page.locator(".doumi-widget li[role=option]"),
  fallback: () => page.locator(".doumi-widget .fallback"),
};

async function adminReport() {
  const response = await fetch(`${base}/api/admin/report?since=1d`, { headers: { authorization: `Bearer ${token}` } });
  assert(response.ok, `admin report answered ${response.status}`);
  return response.json();
}

async function axe(name) {
  // Evaluated through the DevTools protocol, which the pages' content policy
  // (script-src 'self') does not apply to; a <script> tag would be refused.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => window.axe.run(document, { resultTypes: ["violations"] }));
  const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert(serious.length === 0, `${name}: serious accessibility violations: ` + JSON.stringify(serious.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target) })), null, 1));
}

try {
  await check("the script tag alone embeds a search box the host page's CSS cannot break", async () => {
    await page.goto(shopUrl);
    await widget.input().waitFor({ state: "visible" });
    const mode = await page.evaluate(() => document.querySelector(".doumi-widget").shadowRoot.mode);
    assert(mode === "open", "the shadow root is open");
    const size = fs.statSync(new URL("../../web/widget.js", import.meta.url)).size;
    assert(size < 30 * 1024, `widget.js is ${size} bytes`);
  });

  await check("results appear while the last syllable of 비밀버 is still being composed", async () => {
    await widget.input().focus();
    // ㅂ ㅣ ㅁ ㅣ ㄹ ㅂ ㅓ as a Korean IME reports them: the syllable being
    // composed, then committed when the next one starts.
    const steps = [["compose", "ㅂ"], ["compose", "비"], ["compose", "빔"], ["commit", "비"], ["compose", "미"], ["compose", "밀"], ["commit", "밀"], ["compose", "ㅂ"], ["compose", "버"]];
    for (const [kind, text] of steps) {
      if (kind === "compose") await cdp.send("Input.imeSetComposition", { text, selectionStart: text.length, selectionEnd: text.length });
      else await cdp.send("Input.insertText", { text });
      await page.waitForTimeout(40);
    }
    assert((await widget.input().inputValue()) === "비밀버", "the box shows 비밀버 with 버 composing: " + (await widget.input().inputValue()));
    await page.waitForFunction(() => {
      const root = document.querySelector(".doumi-widget").shadowRoot;
      return [...root.querySelectorAll("li[role=option] .title")].some((t) => t.textContent.includes("비밀번호"));
    }, null, { timeout: 5000 });
    assert((await widget.input().getAttribute("aria-expanded")) === "true", "the combobox is expanded");
    await page.screenshot({ path: path.join(shots, "widget.png") });
  });

  await check("Enter and Esc pressed during composition neither navigate nor close", async () => {
    const before = page.url();
    // What Chromium sends while an IME composes: keyCode 229 ("Process").
    await cdp.send("Input.dispatchKeyEvent", { type: "rawKeyDown", key: "Process", code: "Enter", windowsVirtualKeyCode: 229, nativeVirtualKeyCode: 229 });
    await cdp.send("Input.dispatchKeyEvent", { type: "keyUp", key: "Process", code: "Enter", windowsVirtualKeyCode: 229, nativeVirtualKeyCode: 229 });
    // And the flag browsers set on keydown during composition.
    await widget.input().evaluate((input) => {
      for (const key of ["Enter", "Escape"]) input.dispatchEvent(new KeyboardEvent("keydown", { key, isComposing: true, bubbles: true, composed: true, cancelable: true }));
    });
    await page.waitForTimeout(300);
    assert(page.url() === before, "no navigation: " + page.url());
    assert((await widget.input().getAttribute("aria-expanded")) === "true", "still open");
    await cdp.send("Input.insertText", { text: "버" });
  });

  await check("arrow keys move through the options, Esc closes, Enter opens the article and logs the click", async () => {
    await page.waitForTimeout(300);
    const count = await widget.options().count();
    assert(count >= 2, `${count} options`);
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowUp");
    const activeId = await widget.input().getAttribute("aria-activedescendant");
    const selected = await widget.options().nth(0).getAttribute("aria-selected");
    assert(activeId && activeId.endsWith("-opt-0") && selected === "true", `active ${activeId}, first selected ${selected}`);
    await page.keyboard.press("Escape");
    assert((await widget.input().getAttribute("aria-expanded")) === "false", "Esc closes");
    await page.keyboard.press("ArrowDown");
    assert((await widget.input().getAttribute("aria-expanded")) === "true", "ArrowDown reopens");
    const title = await widget.options().nth(0).locator(".title").textContent();
    await Promise.all([page.waitForURL(/\/articles\//), page.keyboard.press("Enter")]);
    assert(page.url().startsWith(base + "/articles/") && page.url().includes("qid="), page.url());
    const heading = await page.locator("h1").textContent();
    assert(heading.length > 0, "the article page has a title");
    const report = await adminReport();
    assert(report.top_articles.some((a) => a.clicks >= 1), "the click was logged: " + JSON.stringify(report.top_articles));
    console.log(`   opened 「${title}」`);
  });

  await check("the article page reads without JavaScript and takes a helpful vote", async () => {
    await page.screenshot({ path: path.join(shots, "article.png"), fullPage: true });
    await axe("article page");
    const before = (await adminReport()).kpis.helpful_votes;
    await Promise.all([page.waitForURL(/voted=helpful/), page.getByRole("button", { name: "예" }).click()]);
    await page.getByText("의견을 보내 주셔서 감사합니다").waitFor();
    const after = (await adminReport()).kpis.helpful_votes;
    assert(after === before + 1, `helpful votes ${before} → ${after}`);
    const plain = await browser.newContext({ javaScriptEnabled: false });
    const noJs = await plain.newPage();
    await noJs.goto(page.url().split("?")[0]);
    assert((await noJs.locator("article.body").textContent()).length > 20, "article text without JavaScript");
    await plain.close();
  });

  await check("when nothing fits, the fallback link offers support and logs contact_support", async () => {
    await page.goto(shopUrl);
    await widget.input().focus();
    await cdp.send("Input.insertText", { text: "제휴 문의 드려요" });
    await widget.fallback().waitFor({ state: "visible", timeout: 5000 });
    const text = await widget.fallback().textContent();
    assert(text.includes("찾으시는 답이 없나요?") && text.includes("1:1 문의하기"), text);
    await axe("host page with the widget open");
    const before = (await adminReport()).kpis.escalations;
    await Promise.all([page.waitForURL(/contact-us/), widget.fallback().locator("a").click()]);
    let after = before;
    for (let i = 0; i < 20 && after === before; i++) {
      await page.waitForTimeout(100);
      after = (await adminReport()).kpis.escalations;
    }
    assert(after === before + 1, `escalations ${before} → ${after}`);
  });

  await check("the list never blinks empty between keystrokes and a late answer never replaces a newer one", async () => {
    await page.goto(shopUrl);
    await widget.input().focus();
    // Count how often the list is emptied once it has shown answers.
    await page.evaluate(() => {
      const root = document.querySelector(".doumi-widget").shadowRoot;
      window.__emptied = 0;
      window.__seen = false;
      new MutationObserver(() => {
        const n = root.querySelectorAll("li[role=option]").length;
        if (n > 0) window.__seen = true;
        else if (window.__seen) window.__emptied++;
      }).observe(root.querySelector("ul"), { childList: true });
    });
    for (const ch of "비밀번호 변경") {
      await cdp.send("Input.insertText", { text: ch });
      await page.waitForTimeout(150);
    }
    assert((await page.evaluate(() => window.__emptied)) === 0, "the list was emptied while typing");
    // The answer to 환불 is held back; the answer to 배송 comes first and stays.
    await page.route("**/api/search?*", async (route) => {
      if (decodeURIComponent(route.request().url()).includes("q=환불")) await new Promise((r) => setTimeout(r, 1200));
      try { await route.continue(); } catch (e) { /* the widget aborted it: newer input */ }
    });
    await widget.input().fill("");
    await cdp.send("Input.insertText", { text: "환불" });
    await page.waitForTimeout(250);
    await widget.input().fill("배송 조회");
    await page.waitForFunction(() => {
      const t = document.querySelector(".doumi-widget").shadowRoot.querySelector("li[role=option] .title");
      return t && t.textContent.includes("배송");
    }, null, { timeout: 5000 });
    await page.waitForTimeout(1500);
    const first = await widget.options().nth(0).locator(".title").textContent();
    assert(first.includes("배송"), "the late answer to 환불 replaced the answer to 배송 조회: " + first);
    await page.unroute("**/api/search?*");
  });

  await check("keystrokes are answered by words alone and the settled question by meaning too", async () => {
    const asked = [];
    const listen = (request) => {
      if (request.url().includes("/api/search?")) asked.push(new URL(request.url()).searchParams);
    };
    page.on("request", listen);
    await widget.input().fill("");
    for (const ch of "환불 언제") {
      await cdp.send("Input.insertText", { text: ch });
      await page.waitForTimeout(150);
    }
    await page.waitForTimeout(1000);
    page.off("request", listen);
    const typing = asked.filter((p) => p.get("typing") === "true");
    const settled = asked.filter((p) => !p.has("typing"));
    assert(typing.length >= 2, "keystrokes asked with typing=true: " + asked.map(String).join(" | "));
    assert(settled.length === 1 && settled[0].get("q") === "환불 언제", "one settled question: " + asked.map(String).join(" | "));
  });

  await check("a misspelled query offers the corrected spelling", async () => {
    await widget.input().fill("배숑 조회");
    const suggestion = page.locator(".doumi-widget .suggest button");
    await suggestion.waitFor({ state: "visible", timeout: 5000 });
    assert((await suggestion.textContent()) === "배송 조회", await suggestion.textContent());
    await suggestion.click();
    assert((await widget.input().inputValue()) === "배송 조회", "the suggestion is taken");
  });

  await check("the home page searches without JavaScript and with the widget", async () => {
    await page.goto(base + "/?q=" + encodeURIComponent("배송 조회"));
    const results = page.locator("#results-heading");
    assert((await results.textContent()).includes("배송 조회"), "server-rendered results");
    await axe("home page");
    // The widget attaches to the page's own search box.
    const box = page.locator("#q");
    await box.fill("");
    await box.focus();
    await cdp.send("Input.insertText", { text: "회원탈퇴" });
    await page.locator(".doumi-widget li[role=option]").first().waitFor({ timeout: 5000 });
    assert((await box.getAttribute("role")) === "combobox" && (await box.getAttribute("aria-expanded")) === "true", "the page's input became the combobox");
  });

  // The panel of answers must lie under the box the customer types in and be
  // at least as wide, wherever the page's layout puts the widget (on the home
  // page it attaches to #q inside a flex row).
  async function panelUnderInput(p, inputSelector, label) {
    const geometry = await p.evaluate((selector) => {
      const host = document.querySelector(".doumi-widget");
      const input = selector ? document.querySelector(selector) : host.shadowRoot.querySelector("input");
      const panel = host.shadowRoot.querySelector(".panel");
      const r = (e) => { const b = e.getBoundingClientRect(); return { left: b.left, right: b.right, top: b.top, bottom: b.bottom, width: b.width, height: b.height }; };
      return { input: r(input), panel: r(panel), hidden: panel.hidden };
    }, inputSelector);
    const { input, panel } = geometry;
    assert(!geometry.hidden && panel.height > 20, `${label}: the panel is open and tall enough: ${JSON.stringify(geometry)}`);
    assert(panel.width >= input.width - 0.5, `${label}: the panel (${panel.width}px) is as wide as the input (${input.width}px)`);
    assert(panel.top >= input.bottom - 0.5 && panel.top <= input.bottom + 20, `${label}: the panel starts under the input: ${JSON.stringify(geometry)}`);
    assert(Math.abs(panel.left - input.left) <= 2, `${label}: the panel is aligned with the input: ${JSON.stringify(geometry)}`);
  }

  for (const [width, height] of [[1280, 800], [375, 740]]) {
    await check(`the answers panel lies under the search box at ${width}px, on the home page and on a shop's page`, async () => {
      const sized = await browser.newContext({ viewport: { width, height }, locale: "ko-KR" });
      const p = await sized.newPage();
      await p.goto(base + "/");
      await p.locator("#q").focus();
      await p.keyboard.insertText("회원탈퇴");
      await p.locator(".doumi-widget li[role=option]").first().waitFor({ timeout: 5000 });
      await panelUnderInput(p, "#q", `home ${width}px`);
      await p.screenshot({ path: path.join(shots, `home-panel-${width}.png`) });
      await p.goto(shopUrl);
      await p.locator(".doumi-widget input[role=combobox]").focus();
      await p.keyboard.insertText("회원탈퇴");
      await p.locator(".doumi-widget li[role=option]").first().waitFor({ timeout: 5000 });
      await panelUnderInput(p, null, `shop ${width}px`);
      await sized.close();
    });
  }

  await check("the report page signs in with the token and shows tiles, the chart and the gaps", async () => {
    await page.goto(base + "/admin/report");
    await page.getByLabel("관리자 토큰 (admin_token)").fill("wrong");
    await page.getByRole("button", { name: "로그인" }).click();
    await page.getByText("토큰이 맞지 않습니다").waitFor();
    await page.getByLabel("관리자 토큰 (admin_token)").fill(token);
    await Promise.all([page.waitForURL(/\/admin\/report$/), page.getByRole("button", { name: "로그인" }).click()]);
    await page.locator(".tile").first().waitFor();
    const tiles = await page.locator(".tile").count();
    const bars = await page.locator("svg.chart rect.bar").count();
    assert(tiles === 7 && bars >= 30, `${tiles} tiles, ${bars} bars`);
    assert((await page.locator("svg.chart path.self-service").count()) === 1, "the self-service line is drawn");
    assert((await page.locator("table.gaps tbody tr").count()) >= 1, "at least one gap");
    assert((await page.locator("table.gaps").textContent()).includes("제휴"), "the unanswered question is a gap");
    const csv = await page.evaluate(async () => (await fetch("/admin/report.csv")).text());
    assert(csv.startsWith("rank,representative"), csv.slice(0, 80));
    await page.screenshot({ path: path.join(shots, "report.png"), fullPage: true });
    await axe("report page");
  });

  await check("the report page fits a phone and a desktop, and signs out", async () => {
    for (const width of [375, 1280]) {
      await page.setViewportSize({ width, height: 800 });
      await page.goto(base + "/admin/report");
      await page.locator(".tile").first().waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert(overflow <= 1, `at ${width}px the report is ${overflow}px wider than the screen`);
      await page.screenshot({ path: path.join(shots, `report-${width}.png`), fullPage: true });
    }
    await Promise.all([page.waitForURL(/\/admin\/report$/), page.getByRole("button", { name: "로그아웃" }).click()]);
    await page.getByLabel("관리자 토큰 (admin_token)").waitFor();
    await page.goto(base + "/admin/report");
    assert((await page.locator(".tile").count()) === 0, "signed out: the report asks for the token again");
    await page.setViewportSize({ width: 1024, height: 800 });
  });

  await check("a vote posted without the page's token is refused with a way back, on a phone and a desktop", async () => {
    for (const width of [375, 1280]) {
      const sized = await browser.newContext({ viewport: { width, height: 800 }, locale: "ko-KR" });
      const p = await sized.newPage();
      await p.goto(base + "/articles/refund");
      // What another site's form would send: the vote, without the cookie.
      await sized.clearCookies();
      await p.getByRole("button", { name: "예" }).click();
      await p.getByText("반영하지 않았습니다").waitFor();
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert(overflow <= 1, `at ${width}px the notice is ${overflow}px wider than the screen`);
      await p.screenshot({ path: path.join(shots, `vote-refused-${width}.png`) });
      await Promise.all([p.waitForURL(/\/articles\/refund$/), p.getByRole("link", { name: "돌아가기" }).click()]);
      await sized.close();
    }
  });

  await check("the article page fits a phone screen", async () => {
    const phone = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, locale: "ko-KR" });
    const small = await phone.newPage();
    await small.goto(base + "/articles/refund");
    const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 1, `the page is ${overflow}px wider than the screen`);
    await small.screenshot({ path: path.join(shots, "article-phone.png"), fullPage: true });
    await phone.close();
  });

  await check("the pages' content policy refused nothing they use", async () => {
    assert(refused.length === 0, "refused by the content policy: " + refused.join(" | "));
  });
} finally {
  await browser.close();
  shop.close();
}
