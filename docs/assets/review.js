// The Recall & Review page (quiz.js runs its cards) and the home page's progress per lesson, on store.js.
import { DAYS, load, mountEach, onEveryPage, save, today, watch, wellFormed } from "./store.js";

const FORMAT = "fine-tuning-quiz-progress", MAX_BYTES = 1e6, DAY = 864e5;
const isDue = s => !s || s.due <= today();
const cards = count => count + (count == 1 ? " card" : " cards");
const possible = s => s.due >= 0 && s.due <= today() + DAYS[4] + 1 && // a day's slack for time zones
  [s.reviewed, s.edited].every(t => t === undefined || t > 0 && t < Date.now() + DAY);

// Cards due today first (in lesson order), then the rest by due date; an answered card stays in today's list
// until the page is opened again or an import sorts it anew.
function layout(review) {
  const all = load(), list = review.querySelector(".quiz-cards");
  const cards = [...review.querySelectorAll(".quiz-item")];
  cards.forEach((card, index) => { card.dataset.order ??= index; }); // lesson order, as the page is built
  cards.sort((a, b) => a.dataset.order - b.dataset.order);
  const due = cards.filter(card => isDue(all[card.dataset.quizItem]));
  const rest = cards.filter(card => !due.includes(card))
    .sort((a, b) => all[a.dataset.quizItem].due - all[b.dataset.quizItem].due);
  const heading = text => [...list.children].find(child => child.tagName == "H2" && child.textContent == text) ||
    Object.assign(document.createElement("h2"), { textContent: text });
  const order = [...due.length ? [heading("To review today"), ...due] : [], ...rest.length ? [heading("Coming up"), ...rest] : []];
  // Only what is out of place moves: a moved card is styled and laid out again (on a phone's first load, all of them).
  order.forEach((node, index) => list.children[index] != node && list.insertBefore(node, list.children[index] || null));
  while (list.children.length > order.length) list.lastElementChild.remove(); // a heading no longer needed
  count();
}

function count() { // how many are due, and each lesson's progress on the home page
  const all = load(), status = document.querySelector(".quiz-review-status");
  if (status) {
    const cards = [...document.querySelectorAll(".quiz-review .quiz-item")];
    const text = `${cards.filter(card => isDue(all[card.dataset.quizItem])).length} of ${cards.length} cards due today.`;
    if (status.textContent != text) status.textContent = text; // a live region: announce changes only
  }
  document.querySelectorAll(".quiz-progress").forEach(progress => {
    const ids = progress.dataset.items.split(" ");
    const known = ids.filter(id => all[id] && all[id].box >= 3).length;
    progress.textContent = `${known} of ${ids.length} cards in box 3 or higher`;
  });
}

function exportProgress() {
  const data = JSON.stringify({ format: FORMAT, version: 1, items: load() }, null, 1);
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([data], { type: "application/json" }));
  link.download = "fine-tuning-quiz-progress.json";
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href));
}

// Per card: the more recent review wins; typed text stays unless theirs is newer; a first try counts as right
// only if it was right in both browsers (which came first is not kept).
function merge(mine, theirs) {
  if (!mine) return theirs;
  // An entry without times was stored before they were kept: older than any with. Between two such, the further
  // along wins (higher box, then later due date).
  const newer = (theirs.reviewed || 0) - (mine.reviewed || 0) || theirs.box - mine.box || theirs.due - mine.due;
  const typed = mine.text === undefined || theirs.text !== undefined && (theirs.edited || 0) > (mine.edited || 0)
    ? theirs : mine;
  const merged = { ...newer > 0 ? theirs : mine };
  delete merged.text; // the text comes from `typed`
  delete merged.edited;
  if (typed.text !== undefined) merged.text = typed.text;
  if (typed.edited !== undefined) merged.edited = typed.edited;
  if (mine.first === false || theirs.first === false) merged.first = false;
  return merged;
}
function same(a, b) { // the same entry, whatever the order of its keys
  const keys = Object.keys({ ...a, ...b }).sort();
  return JSON.stringify(a, keys) == JSON.stringify(b, keys);
}

function refusal(data, known) { // why a parsed file is refused, or "" when its cards can be merged
  if (!data || data.format !== FORMAT || data.version !== 1 || !data.items || typeof data.items != "object" ||
    Array.isArray(data.items)) return "it is not a progress file exported from this site";
  for (const id of Object.keys(data.items).filter(id => known.has(id))) {
    if (!wellFormed(data.items[id])) return `the entry for \u201c${id}\u201d is malformed`;
    if (!possible(data.items[id])) return `the entry for \u201c${id}\u201d has an impossible date`;
  }
  return "";
}

function importProgress(input, review) {
  const file = input.files[0], status = review.querySelector(".quiz-review-status");
  const known = new Set([...review.querySelectorAll(".quiz-item")].map(card => card.dataset.quizItem));
  input.value = "";
  const refuse = why => { status.textContent = `${file.name} was not imported: ${why}. Nothing was changed.`; };
  if (file.size > MAX_BYTES) return refuse("it is larger than any progress file (1 MB)");
  file.text().then(text => {
    let data;
    try {
      data = JSON.parse(text);
    } catch (e) {
      return refuse("it is not valid JSON");
    }
    const why = refusal(data, known);
    if (why) return refuse(why);
    const all = load(), ids = Object.keys(data.items), unknown = ids.filter(id => !known.has(id)).length;
    let taken = 0, current = 0, replaced = 0;
    for (const id of ids.filter(id => known.has(id))) {
      const merged = merge(all[id], data.items[id]);
      if (same(merged, all[id])) current++;
      else taken++;
      if (all[id]?.text && merged.text != all[id].text) replaced++;
      all[id] = merged;
    }
    const stored = save(all);
    layout(review);
    status.textContent = (stored ? `Imported ${cards(taken)} from ${file.name}.` : `Stored nothing from ${file.name}: ` +
      `this browser can't keep progress, so what it holds (${cards(taken)}) counts only until you reload or close ` +
      "this page.") +
      (replaced ? ` The file's newer typed answer replaced yours on ${cards(replaced)}.` : "") +
      (current ? ` Already up to date here: ${cards(current)}.` : "") +
      (unknown ? ` Ignored ${cards(unknown)} this site doesn't have.` : "") + " " + status.textContent;
  });
}

function mountReview(review) {
  review.querySelector(".quiz-export").onclick = exportProgress;
  const input = review.querySelector("#quiz-import");
  input.onchange = () => input.files.length && importProgress(input, review);
  layout(review);
}

watch(count);
onEveryPage(() => {
  mountEach(".quiz-review", mountReview);
  count();
});
