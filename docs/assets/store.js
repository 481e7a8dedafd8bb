// For quiz.js and review.js: progress in localStorage, or in memory for the page's life if storage fails.
const KEY = "fine-tuning-quiz/v1";
export const DAYS = [1, 2, 4, 8, 16]; // Leitner boxes 1-5: days until the next review
let memory; // progress, once storage has failed
const listeners = [];

export function today() {
  const now = new Date();
  return Math.floor((now - now.getTimezoneOffset() * 6e4) / 864e5);
}
const int = Number.isInteger, absent = value => value === undefined;
const numbers = list => absent(list) || Array.isArray(list) && list.every(int);
const flag = value => [undefined, true, false].includes(value);
export const wellFormed = s => !!s && int(s.box) && s.box >= 1 && s.box <= 5 && int(s.due) && flag(s.ok) &&
  flag(s.first) && (absent(s.text) || typeof s.text == "string") && numbers(s.picks) && numbers(s.ticks) &&
  [s.reviewed, s.edited].every(time => absent(time) || int(time)); // times: Date.now()

function read() {
  try {
    if (!memory) return JSON.parse(localStorage.getItem(KEY));
  } catch (e) {
    if (!(e instanceof SyntaxError)) memory = {}; // blocked (corrupt JSON is replaced on the next save)
  }
  return memory;
}
export function load() { // {id: state}; invalid entries are dropped
  const raw = read(), all = {};
  if (raw && typeof raw == "object" && !Array.isArray(raw)) {
    for (const id in raw) if (wellFormed(raw[id])) all[id] = { ...raw[id] };
  }
  return all;
}
export function save(all) { // false: kept in memory only
  try {
    if (!memory) localStorage.setItem(KEY, JSON.stringify(all));
  } catch (e) {
    memory = {}; // full or blocked
  }
  if (memory) memory = all;
  listeners.forEach(listener => listener());
  return !memory;
}
export const kept = () => !memory;
export const watch = listener => listeners.push(listener); // after every save

export function when(due) {
  const days = due - today();
  return days <= 0 ? "today" : days == 1 ? "tomorrow" : "in " + days + " days";
}

export function onEveryPage(run) { // Material's document$: on load and after each instant navigation
  (window.document$ || { subscribe: f => f() }).subscribe(run);
}
export function mountEach(selector, mount) { // mount(el) once per element
  document.querySelectorAll(selector + ":not([data-ready])").forEach(el => {
    mount(el);
    el.dataset.ready = 1;
  });
}
