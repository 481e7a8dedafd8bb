// On every page (overrides/main.html loads this module after Material's bundle): fixes to the markup Material
// and Markdown make that CSS cannot make. Material's document$ emits once per page, instant navigation included,
// after Material has mounted the page.

// Label each table cell with its column's header, for site.css's phone layout of the lessons table.
function labelTableCells() {
  for (const table of document.querySelectorAll(".md-typeset table")) {
    const headers = [...table.querySelectorAll("thead th")].map(header => header.textContent.trim())
    for (const row of table.querySelectorAll("tbody tr"))
      for (const cell of row.cells) cell.dataset.label = headers[cell.cellIndex]
  }
}

document$.subscribe(() => {
  labelTableCells()
})

