/* Upload with progress, for a form marked data-upload-progress (the attachments page).
 *
 * Without JavaScript the form posts as usual. With it, the form's data goes by
 * XMLHttpRequest so the page can show how much is sent; when the desk has answered, the
 * browser goes where the desk redirected (the list saying "attached", or why not) by GET,
 * exactly as the plain form would. No library: the Content-Security-Policy allows scripts
 * from this site only. */
(function () {
  "use strict";

  function readable(bytes) {
    if (bytes < 100 * 1024) return Math.max(1, Math.ceil(bytes / 1024)) + " KB";
    var mb = bytes / (1024 * 1024);
    return (mb >= 10 ? mb.toFixed(0) : mb.toFixed(1)) + " MB";
  }

  function enhance(form) {
    var box = form.querySelector(".upload-progress");
    var bar = form.querySelector("progress");
    var status = form.querySelector("[aria-live]");
    var buttons = form.querySelectorAll("button[type=submit], input[type=submit]");
    var busy = false;

    function say(text, failed) {
      if (!status) return;
      status.classList.toggle("upload-status--failed", Boolean(failed));
      status.textContent = text;
    }

    function setBusy(value) {
      busy = value;
      form.setAttribute("aria-busy", value ? "true" : "false");
      for (var i = 0; i < buttons.length; i++) buttons[i].disabled = value;
    }

    function show(loaded, total) {
      if (!bar) return;
      bar.max = total;
      bar.value = loaded;
    }

    form.addEventListener("submit", function (event) {
      if (busy) {
        event.preventDefault();
        return;
      }
      var data = new FormData(form);
      var target = new URL(form.getAttribute("action") || "", window.location.href).href;
      var xhr = new XMLHttpRequest();
      event.preventDefault();

      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable || e.total === 0) {
          say("Uploading…");
          return;
        }
        show(e.loaded, e.total);
        say("Uploading: " + Math.floor((e.loaded / e.total) * 100) + " % of " + readable(e.total));
      });
      xhr.upload.addEventListener("load", function () {
        if (bar) bar.value = bar.max;
        say("Sent: the desk is checking the file…");
      });
      xhr.addEventListener("load", function () {
        var landed = xhr.responseURL;
        if (landed && landed !== target) {
          // The desk answered 303 and the request followed it: show that page by GET.
          if (bar) bar.value = bar.max;
          say("Sent. Opening the answer…");
          window.location.assign(landed);
          return;
        }
        // No redirect: the desk refused the request itself (an expired form, a page it
        // will not show). Say so, with its words, and let the person try again.
        var why = "";
        try {
          var answer = new DOMParser().parseFromString(xhr.responseText, "text/html");
          var text = answer.querySelector("main p");
          why = text ? " " + text.textContent.trim() : "";
        } catch (ignored) {
          why = "";
        }
        setBusy(false);
        say("The file was not attached (the desk answered " + xhr.status + ")." + why, true);
      });
      xhr.addEventListener("error", function () {
        setBusy(false);
        say("The upload failed: the network connection was lost. Check it and choose Attach again.", true);
      });
      xhr.addEventListener("abort", function () {
        setBusy(false);
        say("The upload was stopped. Choose Attach to send the file again.", true);
      });

      xhr.open("POST", target);
      xhr.setRequestHeader("Accept", "text/html");
      show(0, 1);
      if (box) box.hidden = false;
      say("Uploading: 0 % of " + readable(fileBytes(data)));
      setBusy(true);
      xhr.send(data);
    });
  }

  function fileBytes(data) {
    var total = 0;
    data.forEach(function (value) {
      if (typeof value !== "string" && value && typeof value.size === "number") total += value.size;
    });
    return total;
  }

  if (!window.XMLHttpRequest || !window.FormData || !window.URL) return;
  var forms = document.querySelectorAll("form[data-upload-progress]");
  for (var i = 0; i < forms.length; i++) enhance(forms[i]);
})();
