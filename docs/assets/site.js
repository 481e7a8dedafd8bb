// On every page (overrides/main.html loads this module after Material's bundle): fixes to the markup Material
// makes that CSS cannot make. Material's document$ emits once per page, instant navigation included, after
// Material has mounted the page's code blocks.

// Material puts each code block's copy button in a <nav>: one unnamed navigation landmark per block (axe:
// landmark-unique). It is a button, not navigation: take the landmark role away.
function unmarkCodeCopyNavs() {
  for (const nav of document.querySelectorAll("nav.md-code__nav")) nav.setAttribute("role", "none")
}

document$.subscribe(unmarkCodeCopyNavs)
