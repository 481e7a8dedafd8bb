// Material requests the search index and builds it (in a worker) on every page load: about 250 KB to parse and copy
// to the worker, for the few readers who search. As Material itself does for pages opened from disk, the request
// waits until the reader opens search (a search result's highlighting needs the index only after a search).
// overrides/main.html puts this before Material's bundle, which requests the index as it loads (XMLHttpRequest); it
// runs once, not on each instant navigation (it is outside the page's content).
(() => {
  let searchOpens
  const searchOpened = new Promise(resolve => searchOpens = resolve)
  document.addEventListener("focusin", event => {
    if (event.target.matches("[data-md-component=search-query]")) searchOpens()
  })
  const { open, send } = XMLHttpRequest.prototype
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    this.isSearchIndex = new URL(url, location).pathname.endsWith("/search/search_index.json")
    return open.call(this, method, url, ...rest)
  }
  XMLHttpRequest.prototype.send = function (...body) {
    if (this.isSearchIndex) searchOpened.then(() => send.apply(this, body))
    else send.apply(this, body)
  }
})()
