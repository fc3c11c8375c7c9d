// 网上传件: photograph or add the pages of each material, shrink them on the device, send them
// with the form (cases/_material_capture.html, one widget per material).
//
// - 拍照 opens the camera (getUserMedia, the back camera where there is one) in a panel; 拍摄
//   draws the live frame to a canvas and keeps it as a page; 完成 closes the camera. Where the
//   page is not a secure context (no mediaDevices), 拍照 opens the phone's own camera instead.
// - 扫描件/文件 adds images (shrunk like photos) and PDFs (kept as they are).
// - Images are sent as JPEG at most 1600 px on the long side, quality 0.7: a village 3G link
//   copes, and the server re-encodes them anyway (bianmin/cases/files.py).
// - The pages live in memory by material id until the form is sent. On submit the form is posted
//   with fetch (FormData of the form plus the pages as material_files_<id>):
//   * a form with data-capture-target (a checklist row on the case page) gets the refreshed row
//     back and swaps it in; on a refusal the row shows the message and the pages stay;
//   * the intake form follows the redirect to the new case (or an HX-Redirect header); a refused
//     form (400/422) is swapped in from the answer and the kept pages are attached again.
// Without JavaScript the widget is a plain file input and the forms post as usual.
(function () {
  "use strict";
  const MAX_SIDE = 1600;
  const QUALITY = 0.7;
  const THUMB_SIDE = 160;
  const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
  const store = new Map(); // material id -> [{blob, name, type, thumb, source}]
  let camera = null; // {widget, stream}
  let cameraTicket = 0; // a camera opened and closed again before it answered is stopped

  // --- helpers ---------------------------------------------------------------------------------
  function pagesOf(id) {
    const key = String(id);
    if (!store.has(key)) store.set(key, []);
    return store.get(key);
  }

  function text(widget, key, vars) {
    const holder = (widget && widget.querySelector("[data-capture-messages]"))
      || document.querySelector("[data-capture-messages]");
    let out = (holder && holder.dataset[key]) || key;
    Object.entries(vars || {}).forEach(([k, v]) => { out = out.split("{" + k + "}").join(String(v)); });
    return out;
  }

  function say(widget, message, isError) {
    const el = widget.querySelector("[data-capture-status]");
    if (!el) return;
    el.textContent = message || "";
    el.classList.toggle("error", Boolean(isError));
    el.classList.toggle("muted", !isError);
  }

  function sourceOf(id) {
    return pagesOf(id).some((p) => p.source === "camera") ? "camera" : "scanner";
  }

  function pageName(widget, index, type) {
    const label = text(widget, "page", { n: index + 1 }).replace(/\s+/g, "");
    return label + (type === "application/pdf" ? ".pdf" : ".jpg");
  }

  // --- pages -----------------------------------------------------------------------------------
  function render(widget) {
    const id = widget.dataset.material;
    const pages = pagesOf(id);
    const list = widget.querySelector("[data-capture-pages]");
    if (list) {
      list.textContent = "";
      pages.forEach((page, index) => {
        const item = document.createElement("li");
        item.className = "capture-page";
        const label = text(widget, "page", { n: index + 1 });
        if (page.thumb) {
          const img = document.createElement("img");
          img.src = page.thumb; // a data: URL (the page's CSP allows data: images, not blob:)
          img.alt = label;
          item.appendChild(img);
        } else {
          const tile = document.createElement("span");
          tile.className = "capture-pdf";
          tile.textContent = "PDF";
          item.appendChild(tile);
        }
        const number = document.createElement("span");
        number.className = "capture-page-no";
        number.textContent = page.type === "application/pdf" && page.name ? page.name : label;
        item.appendChild(number);
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "capture-remove";
        remove.dataset.captureRemove = String(index);
        remove.textContent = "×";
        remove.setAttribute("aria-label", text(widget, "remove") + " " + label);
        item.appendChild(remove);
        list.appendChild(item);
      });
    }
    const source = widget.querySelector("[data-capture-source]");
    if (source) source.value = sourceOf(id);
    widget.classList.toggle("capture-has-pages", pages.length > 0);
  }

  function shrink(source, width, height) {
    const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    const g = canvas.getContext("2d");
    g.fillStyle = "#fff"; // a transparent PNG scan becomes white paper, not black
    g.fillRect(0, 0, canvas.width, canvas.height);
    g.drawImage(source, 0, 0, canvas.width, canvas.height);
    const small = document.createElement("canvas");
    const t = Math.min(1, THUMB_SIDE / Math.max(canvas.width, canvas.height));
    small.width = Math.max(1, Math.round(canvas.width * t));
    small.height = Math.max(1, Math.round(canvas.height * t));
    small.getContext("2d").drawImage(canvas, 0, 0, small.width, small.height);
    const thumb = small.toDataURL("image/jpeg", 0.6);
    return new Promise((resolve, reject) => {
      canvas.toBlob((blob) => (blob ? resolve({ blob, thumb }) : reject(new Error("encode"))),
        "image/jpeg", QUALITY);
    });
  }

  function decodeViaImage(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onerror = reject;
      reader.onload = () => {
        const img = new Image();
        img.onload = () => resolve({ source: img, width: img.naturalWidth, height: img.naturalHeight });
        img.onerror = reject;
        img.src = reader.result;
      };
      reader.readAsDataURL(file);
    });
  }

  function decode(file) {
    if (typeof window.createImageBitmap !== "function") return decodeViaImage(file);
    return createImageBitmap(file, { imageOrientation: "from-image" })
      .then((bitmap) => ({ source: bitmap, width: bitmap.width, height: bitmap.height }))
      .catch(() => decodeViaImage(file));
  }

  function addFiles(widget, files, source) {
    const id = widget.dataset.material;
    const limit = Number(widget.dataset.maxBytes) || DEFAULT_MAX_BYTES;
    const jobs = Array.from(files || []).map((file) => {
      const type = file.type || "";
      if (type === "application/pdf" || (!type && /\.pdf$/i.test(file.name))) {
        if (file.size > limit) {
          return Promise.reject(text(widget, "tooBig", { name: file.name, mb: Math.floor(limit / 1048576) }));
        }
        return Promise.resolve({ blob: file, name: file.name, type: "application/pdf", thumb: "", source });
      }
      if (type && !type.startsWith("image/")) {
        return Promise.reject(text(widget, "badType", { name: file.name }));
      }
      return decode(file)
        .then((d) => shrink(d.source, d.width, d.height).then((r) => {
          if (d.source.close) d.source.close();
          return { blob: r.blob, name: "", type: "image/jpeg", thumb: r.thumb, source };
        }))
        .catch((e) => Promise.reject(typeof e === "string" ? e : text(widget, "unreadable", { name: file.name })));
    });
    return Promise.allSettled(jobs).then((results) => {
      const pages = pagesOf(id);
      const errors = [];
      let added = 0;
      results.forEach((r) => {
        if (r.status === "fulfilled") { pages.push(r.value); added += 1; } else errors.push(r.reason);
      });
      render(widget);
      if (errors.length) say(widget, errors.join("；"), true);
      else say(widget, text(widget, "added", { n: added, total: pages.length }));
    });
  }

  // --- camera ----------------------------------------------------------------------------------
  function panelOf(widget) { return widget.querySelector("[data-capture-panel]"); }

  function closeCamera() {
    cameraTicket += 1;
    if (!camera) return;
    camera.stream.getTracks().forEach((track) => track.stop());
    const panel = panelOf(camera.widget);
    if (panel) {
      const video = panel.querySelector("video");
      if (video) video.srcObject = null;
      panel.hidden = true;
    }
    camera = null;
  }

  function openCamera(widget) {
    closeCamera();
    const devices = navigator.mediaDevices;
    if (!devices || typeof devices.getUserMedia !== "function") {
      // Not a secure context (plain http on the intranet) or an old browser: the phone's own
      // camera through the capture input.
      const native = widget.querySelector("[data-capture-native]");
      if (native) native.click();
      return;
    }
    const panel = panelOf(widget);
    const video = panel.querySelector("video");
    const shoot = panel.querySelector("[data-capture-shoot]");
    panel.hidden = false;
    shoot.disabled = true;
    const ticket = ++cameraTicket;
    devices.getUserMedia({
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1920 }, height: { ideal: 1080 } },
      audio: false,
    }).then((stream) => {
      if (ticket !== cameraTicket || !widget.isConnected) {
        stream.getTracks().forEach((track) => track.stop());
        return;
      }
      camera = { widget, stream };
      const ready = () => { if (video.videoWidth) shoot.disabled = false; };
      video.addEventListener("loadeddata", ready, { once: true });
      video.addEventListener("playing", ready, { once: true });
      video.addEventListener("resize", ready, { once: true });
      video.srcObject = stream;
      const playing = video.play();
      if (playing && playing.catch) playing.catch(() => {});
      panel.scrollIntoView({ block: "nearest" });
    }).catch((error) => {
      panel.hidden = true;
      const name = (error && error.name) || "";
      const key = name === "NotAllowedError" || name === "SecurityError" ? "cameraDenied"
        : name === "NotFoundError" || name === "OverconstrainedError" ? "cameraMissing" : "cameraFailed";
      say(widget, text(widget, key), true);
    });
  }

  function shoot(widget) {
    const panel = panelOf(widget);
    const video = panel && panel.querySelector("video");
    if (!video || !video.videoWidth) return;
    const button = panel.querySelector("[data-capture-shoot]");
    button.disabled = true;
    panel.classList.add("capture-flash");
    shrink(video, video.videoWidth, video.videoHeight).then((r) => {
      const pages = pagesOf(widget.dataset.material);
      pages.push({ blob: r.blob, name: "", type: "image/jpeg", thumb: r.thumb, source: "camera" });
      render(widget);
      say(widget, text(widget, "shot", { n: pages.length }));
    }).catch(() => say(widget, text(widget, "cameraFailed"), true)).finally(() => {
      button.disabled = false;
      window.setTimeout(() => panel.classList.remove("capture-flash"), 120);
    });
  }

  // --- sending ---------------------------------------------------------------------------------
  function formMessage(form, message) {
    let el = form.querySelector("[data-capture-form-error]");
    if (!el) {
      el = document.createElement("p");
      el.className = "error";
      el.setAttribute("role", "alert");
      el.dataset.captureFormError = "";
      form.insertBefore(el, form.firstChild);
    }
    el.textContent = message;
  }

  function widgetsIn(root) {
    const out = Array.from(root.querySelectorAll("[data-capture]"));
    if (root.matches && root.matches("[data-capture]")) out.unshift(root);
    return out;
  }

  function setBusy(form, busy) {
    form.dataset.captureSending = busy ? "1" : "";
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach((b) => { b.disabled = busy; });
    form.setAttribute("aria-busy", busy ? "true" : "false");
  }

  function afterSwap(root) {
    init(root);
    const firstError = root.querySelector(".errorlist, [role=alert]");
    if (firstError) firstError.scrollIntoView({ block: "center" });
    widgetsIn(root).forEach((w) => {
      const n = pagesOf(w.dataset.material).length;
      if (n) say(w, text(w, "kept", { total: n }));
    });
  }

  // The refused intake form comes back re-rendered: its content replaces the form's (the form
  // element stays, with whatever the page bound to it), the messages beside it are renewed, and
  // the kept pages are attached again by material id. Listen to "materials:swapped" to redo
  // anything a page script did to the form's content on load.
  function swapForm(form, fresh) {
    setBusy(form, false);
    const parent = form.parentElement;
    const freshParent = fresh.parentElement;
    if (parent && freshParent) {
      Array.from(parent.children).forEach((el) => {
        if (el.matches("[role=alert]")) el.remove();
      });
      const anchor = Array.from(parent.children).find((el) => el.tagName === "FORM") || form;
      Array.from(freshParent.children).forEach((el) => {
        if (el.matches("[role=alert]")) parent.insertBefore(el, anchor);
      });
    }
    form.className = fresh.className;
    form.replaceChildren(...Array.from(fresh.childNodes));
    if (window.htmx && typeof window.htmx.process === "function") window.htmx.process(form);
    form.dispatchEvent(new CustomEvent("materials:swapped", { bubbles: true }));
    afterSwap(form);
  }

  function send(form, submitter, widgets, target) {
    closeCamera();
    const data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    widgets.forEach((w) => {
      const id = w.dataset.material;
      const input = w.querySelector("[data-capture-file]");
      const name = input ? input.name : "material_files_" + id;
      data.delete(name);
      pagesOf(id).forEach((p, i) => data.append(name, p.blob, p.name || pageName(w, i, p.type)));
      data.set("material_source_" + id, sourceOf(id));
    });
    const report = (message) => {
      if (widgets.length) say(widgets[0], message, true); else formMessage(form, message);
    };
    setBusy(form, true);
    if (widgets.length) say(widgets[0], text(widgets[0], "sending"));
    const headers = target ? { "HX-Request": "true" } : { "X-Requested-With": "fetch" };
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin", headers })
      .then((response) => {
        const redirect = response.headers.get("HX-Redirect");
        if (redirect) { window.location.assign(redirect); return null; }
        if (response.redirected && !target) { window.location.assign(response.url); return null; }
        const type = response.headers.get("Content-Type") || "";
        return response.text().then((html) => {
          const doc = type.startsWith("text/html") ? new DOMParser().parseFromString(html, "text/html") : null;
          if (target) {
            const fresh = doc && doc.querySelector(target);
            const current = document.querySelector(target);
            if (fresh && current) {
              if (response.ok) widgets.forEach((w) => pagesOf(w.dataset.material).splice(0));
              current.replaceWith(fresh);
              if (response.ok && fresh.dataset.lockVersion) {
                // The upload moved the case's version on: the page's other forms follow.
                document.querySelectorAll("input[name=lock_version]").forEach((i) => { i.value = fresh.dataset.lockVersion; });
              }
              afterSwap(fresh);
              return null;
            }
          } else if (doc) {
            const fresh = (form.id && doc.getElementById(form.id))
              || Array.from(doc.querySelectorAll("form")).find((f) => f.querySelector("[data-capture]"));
            if (fresh) {
              swapForm(form, fresh);
              return null;
            }
          }
          setBusy(form, false);
          report(text(widgets[0] || form, "failed", { status: response.status }));
          return null;
        });
      })
      .catch(() => {
        setBusy(form, false);
        report(text(widgets[0] || form, "offline"));
      });
  }

  // --- wiring (delegated, so swapped-in rows and forms work without binding again) -------------
  document.addEventListener("click", (event) => {
    const el = event.target.closest("[data-capture-open], [data-capture-shoot], [data-capture-done], [data-capture-remove]");
    if (!el) return;
    const widget = el.closest("[data-capture]");
    if (!widget) return;
    event.preventDefault();
    if (el.matches("[data-capture-open]")) openCamera(widget);
    else if (el.matches("[data-capture-shoot]")) shoot(widget);
    else if (el.matches("[data-capture-done]")) closeCamera();
    else {
      const pages = pagesOf(widget.dataset.material);
      pages.splice(Number(el.dataset.captureRemove), 1);
      render(widget);
      say(widget, text(widget, "removed", { total: pages.length }));
    }
  });

  document.addEventListener("change", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file") return;
    const widget = input.closest("[data-capture]");
    if (!widget || !(input.matches("[data-capture-file]") || input.matches("[data-capture-native]"))) return;
    const files = Array.from(input.files || []);
    input.value = ""; // the pages are kept here and sent once, by the submit below
    addFiles(widget, files, input.matches("[data-capture-native]") ? "camera" : "scanner");
  });

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement)) return;
    const target = form.dataset.captureTarget || "";
    const widgets = widgetsIn(form);
    if (!target && !widgets.length) return;
    if (form.dataset.captureSending === "1") { event.preventDefault(); return; }
    const count = widgets.reduce((n, w) => n + pagesOf(w.dataset.material).length, 0);
    if (!target && count === 0) return; // the intake form without pages posts as usual
    event.preventDefault();
    if (widgets.length && count === 0) { say(widgets[0], text(widgets[0], "empty"), true); return; }
    send(form, event.submitter, widgets, target);
  });

  function init(root) {
    widgetsIn(root || document).forEach((widget) => {
      widget.classList.add("capture-js");
      widget.querySelectorAll("[data-capture-open]").forEach((b) => { b.hidden = false; });
      render(widget);
    });
  }

  window.addEventListener("pagehide", closeCamera);
  document.addEventListener("htmx:load", (event) => init(event.target));
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => init(document));
  else init(document);
})();
