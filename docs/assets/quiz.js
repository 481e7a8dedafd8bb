/* Quiz widget: enhances the HTML that sitebuild/quiz.py renders. Progress is kept by store.js (loaded first). */
(function () {
  if (window.quizWidget) return; // Material re-runs page scripts after each instant navigation
  var DAYS = [1, 2, 4, 8, 16]; // Leitner boxes 1-5: days until the next review
  var store = window.quizStore, load = store.load, save = store.save, today = store.today, when = store.when;

  function grade(s, ok) { // a hit moves a due card up one box, a miss sends it back to box 1
    var now = today();
    if (!ok || s.due <= now) {
      s.box = ok ? Math.min(s.box + 1, 5) : 1;
      s.due = now + DAYS[s.box - 1];
    }
    s.ok = ok;
  }
  function picked(inputs) {
    return [].filter.call(inputs, function (input) { return input.checked; }).map(function (input) { return +input.value; });
  }
  function say(region) { // the live region announces its new content
    region.replaceChildren.apply(region, [].slice.call(arguments, 1));
  }

  function disclose(details, index) { // <details> becomes a button (aria-expanded) that shows a region
    var button = document.createElement("button"), region = document.createElement("div");
    var summary = details.querySelector("summary");
    button.type = "button";
    button.className = "quiz-toggle";
    button.textContent = summary.textContent;
    button.setAttribute("aria-expanded", "false");
    region.id = details.closest(".quiz-item").id + "-more" + index;
    button.setAttribute("aria-controls", region.id);
    region.hidden = true;
    summary.remove();
    region.append.apply(region, [].slice.call(details.childNodes));
    details.replaceWith(button, region);
    button.addEventListener("click", function () {
      region.hidden = !region.hidden;
      button.setAttribute("aria-expanded", !region.hidden);
    });
  }

  function setup(item) {
    var id = item.dataset.quizItem, status = item.querySelector("[role=status]");
    var inputs = item.querySelectorAll("input"), check = item.querySelector(".quiz-check");
    item.dataset.ready = 1;
    item.querySelectorAll("details.quiz-disclose").forEach(disclose);
    item.querySelectorAll(".quiz-grade, .quiz-actions").forEach(function (el) { el.hidden = false; });
    function keep(change, ok) { // change this item's stored state (and grade it when `ok` is given)
      var all = load(), s = all[id] || (all[id] = { box: 1, due: today() });
      change(s);
      if (ok !== undefined) grade(s, ok);
      save(all);
      changed();
      return s;
    }
    function update(change, ok) {
      refresh(item, keep(change, ok));
    }
    item.addEventListener("click", function (event) {
      var answer = event.target.dataset.grade;
      if (answer) update(function () {}, answer == "1");
    });
    if (item.classList.contains("quiz-choice")) {
      item.querySelector(".quiz-key").hidden = true;
      check.addEventListener("click", function () {
        var picks = picked(inputs);
        if (!picks.length) return say(status, "Choose an answer first.");
        update(function (s) { s.picks = picks; }, picks.join() == item.dataset.correct);
      });
      item.dataset.correct = [].map.call(item.querySelectorAll("[data-correct]"), function (li) {
        return li.dataset.choice;
      }).join();
    }
    if (item.classList.contains("quiz-explain")) {
      var text = item.querySelector("textarea");
      text.addEventListener("input", function () { keep(function (s) { s.text = text.value; }); });
      item.addEventListener("change", function (event) {
        if (event.target.type == "checkbox") update(function (s) { s.ticks = picked(inputs); });
      });
      check.addEventListener("click", function () {
        update(function () {}, picked(inputs).length == inputs.length);
      });
    }
    refresh(item, load()[id]);
  }

  function refresh(item, s) { // show an item's stored state (none: a fresh item)
    s = s || {};
    var status = item.querySelector("[role=status]"), inputs = item.querySelectorAll("input");
    var next = s.ok === undefined ? "" : " Box " + s.box + ", next review " + when(s.due) + ".";
    if (item.classList.contains("quiz-recall")) {
      say(status, s.ok === undefined ? "" : (s.ok ? "You knew it." : "Not yet.") + next);
    }
    if (item.classList.contains("quiz-choice")) {
      inputs.forEach(function (input) { input.checked = (s.picks || []).indexOf(+input.value) >= 0; });
      var verdict = document.createElement("strong");
      verdict.textContent = s.ok ? "✓ Correct" : "✗ Incorrect";
      var why = [].filter.call(item.querySelectorAll("[data-choice]"), function (li) {
        return (s.picks || []).indexOf(+li.dataset.choice) >= 0;
      }).map(function (li) { return li.querySelector(".quiz-why").cloneNode(true); });
      say.apply(null, s.ok === undefined || !why.length ? [status] : [status, verdict].concat(why, next));
    }
    if (item.classList.contains("quiz-explain")) {
      item.querySelector("textarea").value = s.text || "";
      inputs.forEach(function (input) { input.checked = (s.ticks || []).indexOf(+input.value) >= 0; });
      var ticked = picked(inputs).length;
      say(status, s.ticks ? "You got " + ticked + "/" + inputs.length + " concepts." + next : "");
    }
  }

  function changed() { // the page's summary, then anyone listening (the review page)
    var all = load(), items = document.querySelectorAll(".quiz-item"), summary = document.querySelector(".quiz-summary span");
    var answered = 0, correct = 0, ticked = 0, concepts = 0;
    items.forEach(function (item) {
      var s = all[item.dataset.quizItem] || {};
      answered += s.ok !== undefined;
      correct += s.ok === true;
      if (item.classList.contains("quiz-explain")) {
        var count = item.querySelectorAll("input").length;
        ticked += (s.ticks || []).filter(function (i) { return i < count; }).length;
        concepts += count;
      }
    });
    if (summary) {
      summary.textContent = "Answered " + answered + " of " + items.length + ", " + correct + " correct" +
        (concepts ? ", " + ticked + "/" + concepts + " concepts" : "") + ".";
    }
    document.dispatchEvent(new CustomEvent("quiz:change"));
  }

  function init() {
    document.querySelectorAll(".quiz-item:not([data-ready])").forEach(setup);
    var reset = document.querySelector(".quiz-reset:not([data-ready])");
    if (reset) {
      reset.dataset.ready = 1;
      reset.parentNode.hidden = false;
      reset.addEventListener("click", function () {
        var all = load();
        document.querySelectorAll(".quiz-item").forEach(function (item) {
          delete all[item.dataset.quizItem];
          refresh(item);
        });
        save(all);
        changed();
      });
    }
    changed();
  }

  window.quizWidget = { refresh: refresh };
  (window.document$ || { subscribe: function (f) { f(); } }).subscribe(init);
})();
