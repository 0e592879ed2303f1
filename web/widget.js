/*! doumi widget — one script tag embeds a Korean-aware help-center search box.
 *
 *   <script src="https://help.example/widget.js"
 *           data-target="#search"          (optional: attach to this input instead of adding one)
 *           data-placeholder="무엇이든 물어보세요"
 *           data-contact-url="https://shop.example/contact"
 *           data-contact-label="1:1 문의하기"
 *           data-limit="6"></script>
 *
 * Searches as the customer types — also while a Hangul syllable is still being
 * composed — with a ~100 ms debounce; responses that arrive out of order are
 * dropped, and the previous list stays until the next one is ready, so nothing
 * flickers. Enter, Esc and arrows pressed during IME composition belong to the
 * IME and are ignored. WAI-ARIA combobox; an open shadow root keeps the host
 * page's CSS out. Clicks (with rank) and escalations to support are logged.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var data = script.dataset;
  var base = new URL(script.src, location.href).origin;
  var limit = Math.min(Math.max(parseInt(data.limit || "6", 10) || 6, 1), 20);
  var contactUrl = data.contactUrl || base + "/contact";
  var contactLabel = data.contactLabel || "고객센터에 문의하기";
  var source = data.source === "page" ? "page" : "widget";
  var uid = "doumi-" + Math.random().toString(36).slice(2, 8);

  function session() {
    var key = "doumi-session", id = null;
    try { id = localStorage.getItem(key); } catch (e) { /* storage blocked */ }
    if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
      id = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : "s" + Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
      try { localStorage.setItem(key, id); } catch (e) { /* keep it for this page */ }
    }
    return id;
  }
  var sessionId = session();

  var css =
    ":host{all:initial;display:block;position:relative;font-family:'Pretendard','Apple SD Gothic Neo','Noto Sans KR','Malgun Gothic',system-ui,sans-serif;font-size:16px;line-height:1.5;color:#1f2328;word-break:keep-all;overflow-wrap:anywhere}" +
    "*{box-sizing:border-box}" +
    ".box{position:relative}" +
    "input{width:100%;font:inherit;padding:12px 14px;border:2px solid #5b5bd6;border-radius:10px;outline:none;background:#fff;color:inherit}" +
    "input:focus{box-shadow:0 0 0 3px rgba(91,91,214,.25)}" +
    ".panel{position:absolute;left:0;right:0;top:calc(100% + 6px);z-index:2147483000;background:#fff;border:1px solid #d0d7de;border-radius:10px;box-shadow:0 8px 24px rgba(0,0,0,.12);overflow:hidden}" +
    ".panel[hidden]{display:none}" +
    "ul{list-style:none;margin:0;padding:4px 0;max-height:60vh;overflow:auto}" +
    "li{padding:10px 14px;cursor:pointer}" +
    "li[aria-selected=true],li:hover{background:#eef0ff}" +
    ".title{font-weight:600;display:block}" +
    ".meta{font-size:13px;color:#57606a;display:block;margin-top:2px}" +
    ".cat{display:inline-block;font-size:12px;padding:1px 8px;margin-right:6px;border-radius:99px;background:#eef0ff;color:#3e3ea8}" +
    "mark{background:#fff3b0;color:inherit;border-radius:2px}" +
    ".suggest,.fallback{padding:10px 14px;border-top:1px solid #eaeef2;font-size:14px}" +
    ".suggest button{font:inherit;background:none;border:0;padding:0;color:#3e3ea8;text-decoration:underline;cursor:pointer}" +
    ".fallback a{color:#3e3ea8;font-weight:600}" +
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}";

  var anchor = data.target ? document.querySelector(data.target) : null;
  var host = document.createElement("div");
  host.className = "doumi-widget";
  if (anchor) anchor.insertAdjacentElement("afterend", host); else script.insertAdjacentElement("afterend", host);
  var root = host.attachShadow({ mode: "open" });
  root.innerHTML =
    "<style>" + css + "</style>" +
    '<div class="box">' +
    (anchor ? "" : '<label class="sr" for="' + uid + '-input">도움말 검색</label><input id="' + uid + '-input" type="search" autocomplete="off" spellcheck="false">') +
    '<div class="panel" hidden><ul role="listbox" id="' + uid + '-list" aria-label="검색 결과"></ul>' +
    '<div class="suggest" hidden></div><div class="fallback" hidden></div></div>' +
    '<div class="sr" role="status" aria-live="polite"></div></div>';
  var input = anchor || root.querySelector("input");
  var panel = root.querySelector(".panel");
  var list = root.querySelector("ul");
  var suggestBox = root.querySelector(".suggest");
  var fallback = root.querySelector(".fallback");
  var status = root.querySelector("[role=status]");
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", uid + "-list");
  input.setAttribute("placeholder", data.placeholder || "궁금한 점을 입력하세요 (예: 비밀번호 변경)");

  var timer = 0, settleTimer = 0, sent = 0, shown = 0, active = -1, hits = [], current = null, controller = null;

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // Marks the query's words in a title: the API's snippets are marked by the
  // server; titles are marked here, on escaped text.
  function markTitle(title, query) {
    var html = escapeHtml(title);
    var words = query.split(/\s+/).filter(function (w) { return w.length >= 2; });
    words.forEach(function (w) {
      var safe = escapeHtml(w).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      html = html.replace(new RegExp("(" + safe + ")(?![^<]*>)", "gi"), "<mark>$1</mark>");
    });
    return html;
  }

  // Each event carries an id of its own: one sent twice (a retry by the
  // load balancer) is stored once.
  function eventId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx".replace(/x/g, function () { return (Math.random() * 16 | 0).toString(16); });
  }

  function log(event) {
    try {
      fetch(base + "/api/events", {
        method: "POST",
        keepalive: true,
        headers: { "content-type": "application/json", "x-doumi-session": sessionId },
        body: JSON.stringify(Object.assign({ id: eventId() }, event))
      }).catch(function () {});
    } catch (e) { /* logging never breaks the page */ }
  }

  // Attached to the page's own input, the host sits beside it wherever the
  // page's layout puts it (in a flex row it is a zero-width item), so the
  // panel is placed under the input it belongs to, as wide as that input.
  function place() {
    if (!anchor) return;
    var a = anchor.getBoundingClientRect(), h = host.getBoundingClientRect();
    panel.style.left = (a.left - h.left) + "px";
    panel.style.top = (a.bottom - h.top + 6) + "px";
    panel.style.width = a.width + "px";
    panel.style.right = "auto";
  }

  function open(isOpen) {
    if (isOpen) place();
    panel.hidden = !isOpen;
    input.setAttribute("aria-expanded", isOpen ? "true" : "false");
    if (!isOpen) setActive(-1);
  }
  if (anchor) window.addEventListener("resize", function () { if (!panel.hidden) place(); });

  function setActive(index) {
    var items = list.querySelectorAll("li");
    active = index;
    for (var i = 0; i < items.length; i++) items[i].setAttribute("aria-selected", i === index ? "true" : "false");
    if (index >= 0 && items[index]) {
      input.setAttribute("aria-activedescendant", items[index].id);
      items[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function go(index) {
    var hit = hits[index];
    if (!hit || !current) return;
    log({ query_id: current.query_id, type: "click", article_id: hit.article_id, rank: index + 1 });
    var url = new URL(base + hit.url);
    url.searchParams.set("qid", current.query_id);
    location.href = url.toString();
  }

  function render(response) {
    current = response;
    hits = response.hits || [];
    list.innerHTML = hits.map(function (hit, i) {
      return '<li role="option" id="' + uid + "-opt-" + i + '" aria-selected="false" data-rank="' + i + '">' +
        '<span class="title">' + markTitle(hit.title, response.query) + "</span>" +
        '<span class="meta">' + (hit.category ? '<span class="cat">' + escapeHtml(hit.category) + "</span>" : "") + hit.snippet + "</span></li>";
    }).join("");
    if (response.suggestion) {
      suggestBox.innerHTML = "「<button type=\"button\">" + escapeHtml(response.suggestion) + "</button>」을(를) 찾으셨나요?";
      suggestBox.hidden = false;
    } else {
      suggestBox.hidden = true;
    }
    var unsure = hits.length === 0 || response.confidence < 0.5;
    fallback.hidden = !unsure;
    if (unsure) {
      fallback.innerHTML = "찾으시는 답이 없나요? <a href=\"" + escapeHtml(contactUrl) + "\">" + escapeHtml(contactLabel) + "</a>";
    }
    status.textContent = hits.length ? "검색 결과 " + hits.length + "개" : "검색 결과가 없습니다";
    setActive(-1);
    open(true);
  }

  // While the customer types, each pause of 100 ms asks for a fast answer by
  // words (typing=true); once they stop for SETTLE_MS the question is asked
  // again in full, ranked by meaning too.
  var SETTLE_MS = 600;

  function schedule() {
    clearTimeout(timer);
    clearTimeout(settleTimer);
    timer = setTimeout(function () { search(true); }, 100);
    settleTimer = setTimeout(function () { search(false); }, SETTLE_MS);
  }

  function search(typing) {
    var q = input.value.trim();
    if (!q) {
      sent++;
      shown = sent;
      open(false);
      return;
    }
    var seq = ++sent;
    if (controller) controller.abort();
    controller = window.AbortController ? new AbortController() : null;
    var url = base + "/api/search?limit=" + limit + "&source=" + source + (typing ? "&typing=true" : "") + "&q=" + encodeURIComponent(q);
    fetch(url, { headers: { "x-doumi-session": sessionId }, signal: controller ? controller.signal : undefined })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (response) {
        // A slower answer to an older query must not replace a newer one.
        if (!response || seq < shown) return;
        shown = seq;
        render(response);
      })
      .catch(function () { /* aborted or offline: keep what is shown */ });
  }

  input.addEventListener("input", schedule);
  input.addEventListener("compositionend", schedule);
  input.addEventListener("keydown", function (e) {
    // Keys pressed while the IME is composing a syllable belong to the IME.
    if (e.isComposing || e.keyCode === 229) return;
    var count = hits.length;
    if (e.key === "ArrowDown" && count) {
      e.preventDefault();
      if (panel.hidden) open(true);
      setActive((active + 1) % count);
    } else if (e.key === "ArrowUp" && count) {
      e.preventDefault();
      setActive(active <= 0 ? count - 1 : active - 1);
    } else if (e.key === "Enter") {
      if (active >= 0) {
        e.preventDefault();
        go(active);
      } else if (!panel.hidden && count && source === "widget") {
        e.preventDefault();
        go(0);
      }
    } else if (e.key === "Escape") {
      if (!panel.hidden) {
        e.preventDefault();
        open(false);
      }
    }
  });
  input.addEventListener("focus", function () {
    if (hits.length && input.value.trim()) open(true);
  });
  list.addEventListener("mousedown", function (e) {
    var item = e.target.closest("li");
    if (item) {
      e.preventDefault();
      go(parseInt(item.getAttribute("data-rank"), 10));
    }
  });
  suggestBox.addEventListener("click", function (e) {
    if (e.target.tagName === "BUTTON") {
      input.value = e.target.textContent;
      search();
      input.focus();
    }
  });
  fallback.addEventListener("click", function (e) {
    if (e.target.tagName === "A" && current) log({ query_id: current.query_id, type: "contact_support" });
  });
  document.addEventListener("click", function (e) {
    if (e.composedPath().indexOf(host) < 0 && e.target !== input) open(false);
  });
})();
