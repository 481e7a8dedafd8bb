// Quiz widget: enhances the HTML of sitebuild/quiz_html.py.
import { DAYS, kept, load, mountEach, onEveryPage, save, today, watch, when } from "./store.js";

function grade(s, ok) { // a hit moves a due card up one box, a miss sends it back to box 1
  const now = today();
  if (!ok || s.due <= now) {
    s.box = ok ? Math.min(s.box + 1, 5) : 1;
    s.due = now + DAYS[s.box - 1];
  }
  s.first ??= s.ok ?? ok; // the page's score counts first tries
  s.ok = ok;
}
function keep(id, change) { // update() then shows the change everywhere
  const all = load();
  change(all[id] || (all[id] = { box: 1, due: today() }));
  save(all);
}
const picked = inputs => [...inputs].filter(input => input.checked).map(input => +input.value);
const tick = (inputs, values = []) => inputs.forEach(input => { input.checked = values.includes(+input.value); });

function say(region, ...parts) { // a live region announces any change: only change it when the text does
  const said = document.createElement("p");
  said.append(...parts.filter(Boolean).flatMap(part => [" ", part]).slice(1));
  if (region.textContent != said.textContent) region.replaceChildren(...said.childNodes);
}

function disclose(button) { // its label says what a click does
  const region = document.getElementById(button.getAttribute("aria-controls"));
  const labels = [button.textContent, button.dataset.hide];
  button.onclick = () => {
    region.hidden = !region.hidden;
    button.ariaExpanded = !region.hidden;
    button.textContent = labels[+!region.hidden];
  };
}

// Per kind: mount(item, answer) wires the controls; show(item, state) sets them and returns what to say.
const KINDS = {
  recall: {
    mount(item, answer) {
      item.onclick = event => event.target.dataset.grade && answer(() => {}, event.target.dataset.grade == "1");
    },
    show: (item, s) => [s.ok === undefined ? "" : s.ok ? "You knew it." : "Not yet."],
  },
  choice: {
    mount(item, answer) {
      const right = item.right = [...item.querySelectorAll("[data-correct]")].map(li => +li.dataset.choice);
      item.querySelector(".quiz-check").onclick = () => {
        const picks = picked(item.querySelectorAll("input"));
        if (!picks.length) return say(item.querySelector("[role=status]"), "Choose an answer first.");
        answer(s => { s.picks = picks; }, picks.join() == right.join());
      };
    },
    show(item, s) {
      const key = item.querySelector("button.quiz-key"); // once answered
      key.hidden = s.ok === undefined;
      if (key.hidden && key.ariaExpanded == "true") key.click();
      tick(item.querySelectorAll("input"), s.picks);
      const picks = s.picks || [], right = item.right;
      const why = [...item.querySelectorAll("[data-choice]")].filter(li => picks.includes(+li.dataset.choice))
        .map(li => li.querySelector(".quiz-why").cloneNode(true));
      const verdict = document.createElement("strong");
      verdict.textContent = s.ok ? "✓ Correct." : picks.every(pick => right.includes(pick)) ? // right, not all
        `✗ Not complete: ${picks.length} of ${right.length} right answers.` : "✗ Incorrect.";
      return s.ok === undefined || !why.length ? [] : [verdict, ...why];
    },
  },
  explain: {
    mount(item, answer) {
      const text = item.querySelector("textarea"), inputs = item.querySelectorAll("input");
      text.oninput = () => keep(item.dataset.quizItem, s => { s.text = text.value; s.edited = Date.now(); });
      item.querySelector("fieldset").onchange = () => keep(item.dataset.quizItem, s => { s.ticks = picked(inputs); });
      item.querySelector(".quiz-check").onclick = () => {
        const ticks = picked(inputs);
        answer(s => { s.scored = ticks; }, ticks.length == inputs.length);
      };
    },
    show(item, s) {
      const text = item.querySelector("textarea"), inputs = item.querySelectorAll("input");
      if (text.value != (s.text || "")) text.value = s.text || "";
      item.querySelector(".quiz-kept").hidden = !kept();
      tick(inputs, s.ticks);
      return [s.scored && `Recorded: ${concepts(item, s.scored)} of ${inputs.length} concepts.`];
    },
  },
};
const kindOf = item => KINDS[item.classList[1].slice(5)]; // class="quiz-item quiz-<kind>"
const concepts = (item, ticks = []) => ticks.filter(i => i < item.querySelectorAll("input").length).length;

function mount(item) {
  item.querySelectorAll(".quiz-toggle").forEach(disclose);
  kindOf(item).mount(item, (change, ok) => keep(item.dataset.quizItem, s => {
    change(s);
    if (ok !== undefined) grade(s, ok);
    s.reviewed = Date.now();
  }));
}
function show(item, s) { // only on a change: keeps unchecked choices and live regions quiet
  const state = JSON.stringify([s, kept()]);
  if (item.shown == state) return;
  item.shown = state;
  const said = kindOf(item).show(item, s).filter(Boolean);
  say(item.querySelector("[role=status]"), ...said, said.length && s.ok !== undefined &&
    `Box ${s.box}, next review ${when(s.due)}.`);
}

function mountSummary(summary) {
  const reset = summary.querySelector(".quiz-reset"), done = summary.querySelector("[role=status]");
  reset.onclick = () => {
    say(done);
    if (!confirm(reset.dataset.confirm)) return;
    const all = load();
    document.querySelectorAll(".quiz-item").forEach(item => delete all[item.dataset.quizItem]);
    save(all);
    say(done, reset.dataset.done);
  };
}

function update() { // every card, the score, the storage notice
  const all = load(), items = document.querySelectorAll(".quiz-item"), score = document.querySelector(".quiz-score");
  let answered = 0, right = 0, scored = 0;
  items.forEach(item => {
    const s = all[item.dataset.quizItem] || {};
    if (item.dataset.ready) show(item, s);
    answered += s.ok !== undefined;
    right += (s.first ?? s.ok) === true;
    scored += concepts(item, s.scored);
  });
  const count = document.querySelectorAll(".quiz-explain input").length;
  if (score) {
    score.textContent = `Answered ${answered} of ${items.length}; ${right} right at the first try` +
      (count ? `; ${scored} of ${count} concepts` : "") + ".";
  }
  const notice = document.querySelector(".quiz-notice");
  if (notice) notice.hidden = kept();
}

watch(update);
onEveryPage(() => {
  mountEach(".quiz-item", mount);
  mountEach(".quiz-summary", mountSummary);
  update();
});
