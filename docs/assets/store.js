/* Progress storage, shared by the quiz widget and the progress/review script: this browser's localStorage. */
(function () {
  if (window.quizStore) return; // Material re-runs page scripts after each instant navigation
  var KEY = "fine-tuning-quiz/v1";

  function today() {
    var now = new Date();
    return Math.floor((now - now.getTimezoneOffset() * 6e4) / 864e5);
  }
  function numbers(list) {
    return Array.isArray(list) && list.every(Number.isInteger);
  }
  function valid(s) { // one item's stored state
    return !!s && s.box >= 1 && s.box <= 5 && Number.isInteger(s.box) && Number.isInteger(s.due) &&
      [undefined, true, false].indexOf(s.ok) >= 0 && (s.text === undefined || typeof s.text == "string") &&
      (s.picks === undefined || numbers(s.picks)) && (s.ticks === undefined || numbers(s.ticks));
  }
  function load() { // {id: state}; corrupt or foreign values are dropped, valid entries kept
    var all = {}, raw = null;
    try { raw = JSON.parse(localStorage.getItem(KEY)); } catch (e) { /* replaced on the next save */ }
    if (raw && typeof raw == "object" && !Array.isArray(raw)) {
      for (var id in raw) if (valid(raw[id])) all[id] = raw[id];
    }
    return all;
  }
  function save(all) {
    try { localStorage.setItem(KEY, JSON.stringify(all)); } catch (e) { /* storage full or disabled */ }
  }
  function when(due) {
    var days = due - today();
    return days <= 0 ? "today" : days == 1 ? "tomorrow" : "in " + days + " days";
  }
  window.quizStore = { load: load, save: save, valid: valid, today: today, when: when };
})();
