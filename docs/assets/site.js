// On every page (overrides/main.html loads this module after Material's bundle): fixes to the markup Material
// and Markdown make that CSS cannot make, and the light/dark toggle. Material's document$ emits once per page,
// instant navigation included, after Material has mounted the page.

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

// The light/dark toggle in the header, run here rather than by Material's palette code (overrides/main.html unmarks
// the form): while a phone loaded a page, Material's code restyled the whole page four times to set again the
// colours the page already had (Lighthouse: blocking time). This does what it did, writing only what changes.
const COLOR_KEYS = ["media", "scheme", "primary", "accent"]

function applyPalette(inputs, index) {
  const body = document.body, color = {}
  for (const key of COLOR_KEYS) color[key] = inputs[index].getAttribute(`data-md-color-${key}`)
  const changed = COLOR_KEYS.filter(key => body.getAttribute(`data-md-color-${key}`) !== color[key])
  if (changed.length) {
    body.setAttribute("data-md-color-switching", "") // Material's style sheet: no transitions while switching
    for (const key of changed) body.setAttribute(`data-md-color-${key}`, color[key])
    setTimeout(() => body.removeAttribute("data-md-color-switching"))
  }
  inputs[index].checked = true // the Tab key enters the toggle at the checked option, whose label is the one shown
  inputs.forEach((input, i) => input.nextElementSibling.hidden = i !== index)
  try {
    __md_set("__palette", { index, color })
  } catch { } // storage blocked: the choice lasts as long as the page
  requestAnimationFrame(() => setBrowserColors(getComputedStyle(document.querySelector("[data-md-component=header]"))))
}

// The header's colour for the browser's own bars, and the page's colour scheme for what the browser draws itself
// (scrollbars): with no color-scheme tag the page is light, so the tag is added for the dark palette only.
function setBrowserColors(header) {
  const rgb = header.backgroundColor.match(/\d+/g).map(value => (+value).toString(16).padStart(2, "0"))
  metaNamed("theme-color").content = `#${rgb.join("")}`
  if (header.colorScheme != "light" || document.querySelector("meta[name=color-scheme]"))
    metaNamed("color-scheme").content = header.colorScheme
}

function metaNamed(name) {
  return document.querySelector(`meta[name=${name}]`) || document.head.appendChild(Object.assign(
    document.createElement("meta"), { name }))
}

function storedPalette() { // Material's record of the reader's choice
  try {
    return __md_get("__palette")
  } catch {
    return null // storage blocked
  }
}

function mountPalette(form) {
  const inputs = [...form.querySelectorAll("input")]
  const matching = () => Math.max(0, inputs.findIndex(input => matchMedia(input.dataset.mdColorMedia).matches))
  let index = Math.max(0, Math.min(storedPalette()?.index ?? matching(), inputs.length - 1))
  const select = chosen => applyPalette(inputs, index = chosen)
  inputs.forEach((input, i) => input.addEventListener("change", () => select(i)))
  form.addEventListener("keydown", event => { // Enter and Space switch, as a click on the shown label does
    if (event.key != "Enter" && event.key != " ") return
    event.preventDefault()
    const next = inputs[(index + 1) % inputs.length]
    next.click()
    next.focus()
  })
  matchMedia("(prefers-color-scheme: light)").addEventListener("change", () => {
    if (!storedPalette()) select(matching()) // the system's choice, until the reader makes one
  })
  select(index)
}

const paletteForm = document.querySelector("form[data-palette]")
if (paletteForm) mountPalette(paletteForm)
