/* Recall & Review page (with quiz.js) and the home page's progress (without it), on store.js's storage. */
(function () {
  if (window.quizReview) return; // Material re-runs page scripts after each instant navigation
  window.quizReview = true;
  var store = window.quizStore, FORMAT = "fine-tuning-quiz-progress", MAX_BYTES = 1e6;

  function isDue(s) {
    return !s || s.due <= store.today();
  }

  function layout(review) { // cards due today first (in bank order), then the rest by due date
    var all = store.load(), cards = [].slice.call(review.querySelectorAll(".quiz-item"));
    var list = review.querySelector(".quiz-cards"), later = document.createElement("h2");
    var due = cards.filter(function (card) { return isDue(all[card.dataset.quizItem]); });
    var rest = cards.filter(function (card) { return due.indexOf(card) < 0; }).sort(function (a, b) {
      return all[a.dataset.quizItem].due - all[b.dataset.quizItem].due;
    });
    list.querySelectorAll("h2").forEach(function (heading) { heading.remove(); });
    later.textContent = "Coming up";
    list.append.apply(list, due.concat(rest.length ? [later] : [], rest));
    if (due.length) {
      var first = document.createElement("h2");
      first.textContent = "Due today";
      list.prepend(first);
    }
    cards.forEach(function (card) { window.quizWidget.refresh(card, all[card.dataset.quizItem]); });
    count();
  }

  function count() { // how many are due, and each lesson's progress on the home page
    var all = store.load(), status = document.querySelector(".quiz-review-status");
    if (status) {
      var cards = document.querySelectorAll(".quiz-review .quiz-item");
      var due = [].filter.call(cards, function (card) { return isDue(all[card.dataset.quizItem]); }).length;
      var text = due + " of " + cards.length + " cards due today.";
      if (status.textContent != text) status.textContent = text; // a live region: announce changes only
    }
    document.querySelectorAll(".quiz-progress").forEach(function (progress) {
      var ids = progress.dataset.items.split(" ");
      var known = ids.filter(function (id) { return all[id] && all[id].box >= 3; }).length;
      progress.textContent = known + " of " + ids.length + " cards in box 3 or higher";
    });
  }

  function exportProgress() {
    var data = JSON.stringify({ format: FORMAT, version: 1, items: store.load() }, null, 1);
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([data], { type: "application/json" }));
    link.download = "fine-tuning-quiz-progress.json";
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); });
  }

  function problem(text) { // why an imported file is refused, or "" when it is a valid progress file
    var data;
    try { data = JSON.parse(text); } catch (e) { return "it is not valid JSON"; }
    if (!data || data.format !== FORMAT || data.version !== 1 || !data.items || typeof data.items != "object" ||
      Array.isArray(data.items)) return "it is not a progress file exported from this site";
    for (var id in data.items) {
      if (!store.valid(data.items[id])) return "the entry for \u201c" + id + "\u201d is malformed";
    }
    return "";
  }

  function importProgress(input, review) {
    var file = input.files[0], status = review.querySelector(".quiz-review-status");
    input.value = "";
    function refuse(why) {
      status.textContent = file.name + " was not imported: " + why + ". Nothing was changed.";
    }
    if (file.size > MAX_BYTES) return refuse("it is larger than any progress file (1 MB)");
    file.text().then(function (text) {
      var why = problem(text);
      if (why) return refuse(why);
      var all = store.load(), items = JSON.parse(text).items, ids = Object.keys(items);
      ids.forEach(function (id) { // keep the more advanced state of each item
        var mine = all[id], theirs = items[id];
        if (!mine || theirs.box > mine.box || theirs.box == mine.box && theirs.due > mine.due) all[id] = theirs;
      });
      store.save(all);
      layout(review);
      status.textContent = "Imported " + ids.length + " cards from " + file.name + ". " + status.textContent;
    });
  }

  function init() {
    var review = document.querySelector(".quiz-review:not([data-ready])");
    if (review) {
      review.dataset.ready = 1;
      review.querySelector(".quiz-tools").hidden = false;
      review.querySelector(".quiz-export").addEventListener("click", exportProgress);
      var input = review.querySelector("#quiz-import");
      input.addEventListener("change", function () { if (input.files.length) importProgress(input, review); });
      layout(review);
    }
    count();
  }

  document.addEventListener("quiz:change", count);
  (window.document$ || { subscribe: function (f) { f(); } }).subscribe(init);
})();
