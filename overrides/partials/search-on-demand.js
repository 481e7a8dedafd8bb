// Material requests the search index and builds it (in a worker) on every page load: about 250 KB to parse and copy
// to the worker, for the few readers who search. As Material itself does for pages opened from disk, the request
// waits until the reader opens search, unless the page has words to highlight (`?h=`, a search result's link) or
// has no search field (a Material that names it otherwise: then nothing is held back).
// overrides/main.html puts this before Material's bundle, which requests the index as it loads (XMLHttpRequest); it
// runs once, not on each instant navigation (it is outside the page's content).
(() => {
  const SEARCH_FIELD = "[data-md-component=search-query]"
  let searchOpens
  const searchOpened = new Promise(resolve => searchOpens = resolve)
  if (new URLSearchParams(location.search).has("h")) searchOpens()
  document.addEventListener("focusin", event => {
    if (event.target.matches(SEARCH_FIELD)) searchOpens()
  })
  const { open, send } = XMLHttpRequest.prototype
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    this.isSearchIndex = new URL(url, location).pathname.endsWith("/search/search_index.json")
    return open.call(this, method, url, ...rest)
  }
  XMLHttpRequest.prototype.send = function (...body) {
    if (this.isSearchIndex && document.querySelector(SEARCH_FIELD)) searchOpened.then(() => send.apply(this, body))
    else send.apply(this, body)
  }
})()
