// Slow submits and downloads show that they are working (an import takes seconds):
//  - <form data-progress>: on submit the form shows a busy message and its buttons are disabled
//    until the next page arrives;
//  - <a data-progress href="...xlsx">: the file is fetched, the busy message shows until the
//    download starts, then the link is ready again; a refusal (403) or failure is said in the
//    message instead of leaving a half page;
//  - <button data-print>: prints the page (print views carry no inline handlers: CSP).
// data-progress-text overrides the busy message. No library, nothing loaded from elsewhere.
(function () {
  "use strict";
  var BUSY = "正在处理，请稍候……";
  var FAILED = "导出失败，请稍后重试";
  var DENIED = "无权导出";

  function status(el) {
    var id = el.getAttribute("data-progress-status");
    var box = id && document.getElementById(id);
    if (!box) {
      box = document.createElement("span");
      box.className = "busy-status";
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      el.insertAdjacentElement("afterend", box);
      box.id = "busy-" + Math.random().toString(36).slice(2);
      el.setAttribute("data-progress-status", box.id);
    }
    return box;
  }

  function busy(el, on, text) {
    var box = status(el);
    box.textContent = text || "";
    box.classList.toggle("is-busy", on);
    el.classList.toggle("is-busy", on);
    el.setAttribute("aria-busy", on ? "true" : "false");
    if (el.tagName === "A") {
      el.setAttribute("aria-disabled", on ? "true" : "false");
    } else {
      el.querySelectorAll("button, input[type=submit]").forEach(function (b) {
        b.disabled = on;
      });
    }
  }

  function fileName(response, url) {
    var header = response.headers.get("Content-Disposition") || "";
    var star = /filename\*=UTF-8''([^;]+)/i.exec(header);
    if (star) return decodeURIComponent(star[1]);
    var plain = /filename="?([^";]+)"?/i.exec(header);
    return plain ? plain[1] : url.split("/").filter(Boolean).pop() || "export.xlsx";
  }

  function download(link) {
    if (link.classList.contains("is-busy")) return;
    var url = link.href;
    busy(link, true, link.getAttribute("data-progress-text") || BUSY);
    fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status === 403 ? DENIED : FAILED);
        if (!/attachment/i.test(response.headers.get("Content-Disposition") || "")) {
          // Not a file (the session ended and the login page came back): go there as a
          // plain link would.
          window.location.href = response.url;
          return;
        }
        return response.blob().then(function (blob) {
          var a = document.createElement("a");
          a.href = URL.createObjectURL(blob);
          a.download = fileName(response, url);
          document.body.appendChild(a);
          a.click();
          a.remove();
          setTimeout(function () { URL.revokeObjectURL(a.href); }, 60000);
          busy(link, false, "");
        });
      })
      .catch(function (error) {
        busy(link, false, error && error.message === DENIED ? DENIED : FAILED);
      });
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    if (target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
      return;
    }
    var link = target.closest("a[data-progress]");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (!window.fetch || !window.URL || !URL.createObjectURL) return; // the plain link still works
    event.preventDefault();
    download(link);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-progress")) return;
    // Disabled after the submit has collected the pressed button's name and value.
    setTimeout(function () {
      busy(form, true, form.getAttribute("data-progress-text") || BUSY);
    }, 0);
  });

  // Back to a page from the history cache: its forms are usable again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-progress].is-busy").forEach(function (form) {
      busy(form, false, "");
    });
  });
})();
