// Progress in localStorage, or in memory for the page's life if storage fails.
const KEY = "fine-tuning-quiz/v1";
export const DAYS = [1, 2, 4, 8, 16]; // Leitner boxes 1-5: days until the next review
let memory; // progress, once storage has failed
const listeners = [], changed = () => listeners.forEach(listener => listener());

export function today() {
  const now = new Date();
  return Math.floor((now - now.getTimezoneOffset() * 6e4) / 864e5);
}
const int = Number.isInteger, absent = value => value === undefined;
const numbers = list => absent(list) || Array.isArray(list) && list.every(int);
const flag = value => [undefined, true, false].includes(value);
export const wellFormed = s => !!s && int(s.box) && s.box >= 1 && s.box <= 5 && int(s.due) && flag(s.ok) &&
  flag(s.first) && (absent(s.text) || typeof s.text == "string") && [s.picks, s.ticks, s.scored].every(numbers) &&
  [s.reviewed, s.edited].every(time => absent(time) || int(time)); // times: Date.now()

export function load() { // {id: state}, the valid ones
  const all = {};
  try {
    const raw = memory || JSON.parse(localStorage.getItem(KEY));
    if (!Array.isArray(raw)) for (const id in raw) if (wellFormed(raw[id])) all[id] = { ...raw[id] };
  } catch {} // blocked, or corrupt JSON (replaced at once)
  return all;
}
export function save(all, atLoad) { // false: kept in memory only, and leaving asks first
  try {
    if (!memory) localStorage.setItem(KEY, JSON.stringify(all));
  } catch {
    memory = {}; // full or blocked
  }
  if (memory) memory = all;
  if (memory && !atLoad) onbeforeunload = e => e.preventDefault();
  changed();
  return !memory;
}
save(load(), 1); // storage that takes no write is known at once
export const kept = () => !memory;
export const watch = listener => listeners.push(listener); // after every change
onstorage = onpageshow = changed; // another tab's save; this page back from the back/forward cache

export function when(due) {
  const days = due - today();
  return days <= 0 ? "today" : days == 1 ? "tomorrow" : "in " + days + " days";
}

export function onEveryPage(run) { // Material's document$: on load and after each instant navigation
  (window.document$ || { subscribe: f => f() }).subscribe(run);
}
export function mountEach(selector, mount) {
  document.querySelectorAll(selector + ":not([data-ready])").forEach(el => {
    mount(el);
    el.dataset.ready = 1;
  });
}
