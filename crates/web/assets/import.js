// Import pages: how much of a large file has been sent, and that the server is at work.
// Without JavaScript the form posts as usual and this file is never needed.
document.addEventListener("htmx:xhr:progress", function (e) {
  var form = e.target.closest ? e.target.closest("form") : null;
  var bar = form && form.querySelector("progress.upload");
  if (!bar || !e.detail.lengthComputable) return;
  bar.hidden = false;
  bar.max = e.detail.total;
  bar.value = e.detail.loaded;
});
document.addEventListener("htmx:afterRequest", function (e) {
  var bar = e.target.querySelector ? e.target.querySelector("progress.upload") : null;
  if (bar) { bar.hidden = true; bar.value = 0; }
});
