"""Reading in the browser, at 1280×800 and 390×844, in both palettes: every page of the built site loads cleanly,
with legible text, snippet outputs shown whole, tables that fit with their inline code unbroken, a desktop code
block's width in characters, figures legible, sized, lazy and in the palette shown, the plots code blocks drew as
lazy files of their own, and no axe-core violation (Material's code-copy buttons included); the lessons table on a
phone; search, which loads its index once opened."""

import re

import pytest
from playwright.sync_api import expect

from experiments.figures import FIGURES_DIR
from quiz_pages import axe_violations, follow_instant_navigation, use_palette
from sitebuild.pages import CODE_LINE as LINE  # characters a shown code line may hold
from sitebuild.pages import DOCS

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
LEGIBLE_PX = 12  # Lighthouse's font-size audit: text under 12 px is not legible
FIGURE_TEXT_PX = 11  # the smallest text a figure may draw, in CSS px as shown
FIGURE_VARIANT = {"default": "light", "slate": "dark"}  # Material's palette: the figure it shows (`#only-…`)


def site_pages(built_site):
    """Every page of the built site, as a URL relative to the site's root; not the old URLs that only redirect
    (tests/test_lesson_pages.py follows those)."""
    return sorted("" if index.parent == built_site else f"{index.parent.relative_to(built_site)}/"
                  for index in built_site.glob("**/index.html") if 'http-equiv="refresh"' not in index.read_text())


def source_pages():
    """The URLs site_pages finds, from docs/ (one test per page can be collected before the site is built)."""
    sources = sorted(DOCS.glob("**/*.md")) + sorted(DOCS.glob("**/*.ipynb"))
    return ["" if path == DOCS / "index.md" else f"{path.relative_to(DOCS).with_suffix('').as_posix()}/"
            for path in sources]


def test_the_source_pages_are_the_site_s_pages(built_site):
    assert sorted(source_pages()) == site_pages(built_site)


def pages_with(built_site, marker):
    return [url for url in site_pages(built_site) if marker in (built_site / url / "index.html").read_text()]


# The palettes differ only in colour: every rule runs in the light one, axe's colour rules in the dark one too.
AXE_RULES = {"default": None, "slate": ["color-contrast", "link-in-text-block"]}


def test_axe_names_every_element_of_a_violation(page):
    page.goto("")
    page.locator(".md-content").evaluate("""(content) => content.insertAdjacentHTML("beforeend",
        '<p id="faint" style="color: #ddd; background: #fff">faint</p><p id="faint-too" style="color: #ddd">too</p>'
        + '<img id="no-alt" src="data:,">')""")
    assert sorted(axe_violations(page)) == [
        "color-contrast: Elements must meet minimum color contrast ratio thresholds at [['#faint'], ['#faint-too']]",
        "image-alt: Images must have alternative text at [['#no-alt']]"]


def test_a_code_block_s_copy_button_copies_the_block_as_shown(page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("lessons/3-freezing-in-tensorflow/")
    blocks = page.locator(".md-content pre")
    assert blocks.count() > 2
    for block in (blocks.nth(1), blocks.last):  # a snippet's output and the last block: each copies its own code
        block.hover()
        block.locator(".md-code__button").click()
        expect(page.locator(".md-dialog")).to_have_text("Copied to clipboard")
        assert page.evaluate("navigator.clipboard.readText()") == block.locator("code").inner_text()


BROWSER_COLORS = """() => [document.body.dataset.mdColorScheme,
    [...document.querySelectorAll("label[for^=__palette]")].filter(label => !label.hidden).length,
    document.querySelector("meta[name=color-scheme]")?.content]"""


def test_the_palette_toggle_switches_and_is_remembered_and_enter_switches_too(page):
    page.goto("")
    expect(page.locator("meta[name=theme-color]")).to_have_attribute("content", "#4051b5")  # the header's indigo
    assert page.evaluate(BROWSER_COLORS) == ["default", 1, None]  # no tag: the page is light
    use_palette(page, "slate")
    page.wait_for_function("document.querySelector('meta[name=color-scheme]')?.content == 'dark'")
    page.goto("lessons/1-what-is-fine-tuning/")
    page.wait_for_function("document.querySelector('meta[name=color-scheme]')?.content == 'dark'")
    assert page.evaluate(BROWSER_COLORS) == ["slate", 1, "dark"]
    # The Tab key enters the toggle's radio buttons at the checked one, whose label is the button shown (a hidden
    # label would show no focus ring); Space and Enter switch.
    for key, scheme in (("Space", "light"), ("Enter", "dark")):
        page.locator("form[data-palette] input:checked").focus()
        expect(page.locator("form[data-palette] input:focus + label")).to_be_visible()
        page.keyboard.press(key)
        page.wait_for_function(f"document.querySelector('meta[name=color-scheme]')?.content == '{scheme}'")
    assert page.evaluate(BROWSER_COLORS) == ["slate", 1, "dark"]


@pytest.mark.parametrize("system, scheme", [("light", "default"), ("dark", "slate")])
def test_a_first_visit_shows_the_system_s_palette(page, system, scheme):
    page.emulate_media(color_scheme=system)
    page.goto("lessons/6-learning-rate/")
    assert page.locator("body").get_attribute("data-md-color-scheme") == scheme
    expect(page.locator(f"figure.result-figure img[src$='#only-{FIGURE_VARIANT[scheme]}']").first).to_be_visible()


def test_search_requests_its_index_only_once_opened_and_then_finds_the_lessons(page):
    """overrides/partials/search-on-demand.js holds back the request Material makes on every page load."""
    page.set_viewport_size(PHONE)
    requested = []
    page.on("request", lambda request: request.url.endswith("/search_index.json") and requested.append(request.url))
    page.goto("lessons/3-freezing-in-tensorflow/")
    page.wait_for_load_state("networkidle")
    assert requested == []
    page.locator("label[for=__search].md-header__button").click()  # the phone's search button
    page.keyboard.type("BatchNormalization")
    expect(page.locator(".md-search-result__item a[href*='lessons/7-batchnorm/']").first).to_be_visible()
    page.keyboard.press("Control+A")
    page.keyboard.type("load_model")  # always written keras.models.load_model(...): a word of its own
    expect(page.locator(".md-search-result__item a[href*='lessons/1-what-is-fine-tuning/']").first).to_be_visible()
    assert len(requested) == 1


def test_a_search_result_opened_in_a_new_tab_highlights_the_words_searched(page):
    """A result's link carries the words (`?h=`); on a fresh load Material needs the index to mark them."""
    page.goto("lessons/7-batchnorm/?h=batchnormalization")
    expect(page.locator(".md-content mark").first).to_be_visible()


def test_a_claim_linked_from_the_evidence_page_is_marked_where_it_stands(page):
    page.goto("lessons/7-batchnorm/#claim-frozen-batchnorm-the-reliable-way")
    claim = page.locator("#claim-frozen-batchnorm-the-reliable-way")
    expect(claim).to_be_in_viewport()
    marked, other = (page.locator(selector).evaluate("span => getComputedStyle(span).backgroundColor")
                     for selector in ("#claim-frozen-batchnorm-the-reliable-way", ".claim:not(:target) >> nth=0"))
    assert marked != other == "rgba(0, 0, 0, 0)"


def test_code_copy_buttons_are_no_landmarks_after_instant_navigation(page, site_url):
    follow_instant_navigation(page, site_url)
    page.goto("")
    page.locator("a.md-footer__link--next").click()  # to the first lesson: Material swaps it in, no reload
    page.wait_for_url("**/lessons/*/")
    expect(page.locator(".md-code__nav").nth(1)).to_be_attached()  # two code blocks, mounted
    assert axe_violations(page, rules=["landmark-unique"]) == []


def test_lessons_table_shows_every_column_on_a_phone_each_labelled(page):
    page.set_viewport_size(PHONE)
    page.goto("")
    table = page.locator("table:has(.quiz-progress)")
    headers = table.locator("thead th").all_inner_texts()
    cells = page.evaluate("""(table) => [...table.tBodies[0].rows].flatMap(row => [...row.cells].map(cell => {
        const box = cell.getBoundingClientRect(), label = getComputedStyle(cell, "::before").content;
        return {text: cell.innerText, left: box.left, right: box.right, label, dataLabel: cell.dataset.label};
    }))""", table.element_handle())
    assert len(cells) == len(headers) * table.locator("tbody tr").count()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for index, cell in enumerate(cells):
        header = headers[index % len(headers)]
        assert cell["text"].strip() and 0 <= cell["left"] and cell["right"] <= PHONE["width"], (header, cell)
        assert cell["dataLabel"] == header
        if header in ("you will learn", "your progress"):  # step, title and level badge speak for themselves
            assert cell["label"] != "none", (header, cell)
    for scheme in ("default", "slate"):
        use_palette(page, scheme)
        assert axe_violations(page) == [], scheme


def test_on_a_phone_the_keyboard_skips_the_closed_menu_and_reaches_it_open(page):
    page.set_viewport_size(PHONE)
    page.goto("lessons/1-what-is-fine-tuning/")
    in_the_menu = "() => !!document.activeElement.closest('.md-sidebar--primary')"
    for _ in range(6):  # the skip link, the header's buttons, then the lesson
        page.keyboard.press("Tab")
        assert not page.evaluate(in_the_menu), page.evaluate("document.activeElement.outerHTML.slice(0, 120)")
    page.locator("label[for=__drawer].md-header__button").click()
    expect(page.locator(".md-sidebar--primary a").first).to_be_in_viewport()
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate(in_the_menu):
            break
    assert page.evaluate(in_the_menu), page.evaluate("document.activeElement.outerHTML.slice(0, 120)")


def test_lessons_table_stays_a_table_on_a_desktop(page):
    page.set_viewport_size(DESKTOP)
    page.goto("")
    table = page.locator("table:has(.quiz-progress)")
    assert table.locator("thead").is_visible()
    rows_on_one_line = table.evaluate("""table => [...table.rows].every(row =>
        new Set([...row.cells].map(cell => cell.getBoundingClientRect().top)).size === 1)""")
    assert rows_on_one_line
    assert table.evaluate("table => table.getBoundingClientRect().right") <= page.evaluate(
        "document.querySelector('.md-content__inner').getBoundingClientRect().right")


def each_shown(page, selector, check):
    """What the JavaScript function `check` returns for each shown element that `selector` matches (shown as
    Playwright's is_visible() tells it: a box of some size, not visibility: hidden), in one call to the page: each
    call costs a round trip."""
    return page.evaluate(f"""selector => [...document.querySelectorAll(selector)].filter(element => {{
        const box = element.getBoundingClientRect();
        return box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== "hidden";
    }}).map({check})""", selector)


# Characters of `root`'s text that are off screen, clipped or under another element (the copy button), after
# scrolling each line to the middle of the viewport (clear of the sticky header), and, in a block that scrolls
# sideways, each character to the middle of the block.
HIDDEN_CHARACTERS = """(root) => {
    const hidden = [], range = document.createRange();
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode());) {
        for (let i = 0; i < node.length; i++) {
            if (!node.data[i].trim()) continue;
            range.setStart(node, i); range.setEnd(node, i + 1);
            let box = range.getBoundingClientRect();
            if (box.top < innerHeight / 3 || box.bottom > innerHeight * 2 / 3) {
                scrollBy(0, box.top - innerHeight / 2);
                box = range.getBoundingClientRect();
            }
            const shown = () => {
                const x = box.left + box.width / 2, y = box.top + box.height / 2;
                return box.left >= 0 && box.right <= innerWidth && root.contains(document.elementFromPoint(x, y));
            };
            if (!shown() && root.scrollWidth > root.clientWidth) {
                root.scrollLeft += box.left - root.getBoundingClientRect().left - root.clientWidth / 2;
                box = range.getBoundingClientRect();
            }
            if (!shown()) hidden.push(node.data.slice(Math.max(0, i - 20), i + 20));
        }
    }
    return hidden;
}"""


def outputs_show_every_character(page):
    """Every character of every shown snippet output is on screen and uncovered (in a table, once the table is
    scrolled sideways to it; other outputs wrap their lines and never scroll); the number of outputs checked."""
    outputs = each_shown(page, "pre.snippet-output > code", HIDDEN_CHARACTERS)
    for hidden in outputs:
        assert hidden == [], hidden[:3]
    overflowing = each_shown(page, "pre.snippet-output:not(.snippet-output--table) > code",
                             "code => code.scrollWidth > code.clientWidth")
    assert not any(overflowing)
    return len(outputs)


def test_a_table_output_keeps_its_rows_whole_on_a_phone(page):
    """model.summary()'s table scrolls sideways instead of wrapping: each row stays one line."""
    page.set_viewport_size(PHONE)
    page.goto("lessons/3-freezing-in-tensorflow/")
    tables = [table for table in page.locator("pre.snippet-output--table > code").all() if table.is_visible()]
    assert len(tables) >= 2  # lesson 3's summaries, outside the JAX tabs
    for table in tables:
        rows = table.inner_text().count("\n") + 1
        assert table.evaluate("""code => { const style = getComputedStyle(code);
            return (code.scrollHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom))
                / parseFloat(style.lineHeight) }""") == pytest.approx(rows, abs=0.5)


# Tokens (runs without spaces) of inline code in table cells that the layout split across two lines although
# the token is narrower than the widest a cell of that table could be.
TOKENS_BROKEN_IN_TABLES = """() => {
    const broken = [], range = document.createRange();
    for (const code of document.querySelectorAll(".md-typeset :is(td, th) code")) {
        const text = code.firstChild, cell = code.closest("td, th");
        if (!text || text.nodeType !== Node.TEXT_NODE || !code.getClientRects().length) continue;
        const style = getComputedStyle(cell);
        const widest = cell.closest(".md-typeset__scrollwrap, .md-typeset").clientWidth
            - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        for (const token of text.data.matchAll(/\\S+/g)) {
            range.setStart(text, token.index); range.setEnd(text, token.index + token[0].length);
            const pieces = [...range.getClientRects()];
            const width = pieces.reduce((sum, box) => sum + box.width, 0);
            if (new Set(pieces.map(box => Math.round(box.top))).size > 1 && width <= widest) broken.push(token[0]);
        }
    }
    return broken;
}"""


def tables_fit_and_keep_inline_code_whole(page):
    """Tables fit the page (no sideways scrolling) and inline code in them never breaks inside a token."""
    assert page.evaluate(TOKENS_BROKEN_IN_TABLES) == []
    scrolling = page.evaluate("""() => [...document.querySelectorAll(".md-typeset__scrollwrap")]
        .filter(wrap => wrap.scrollWidth > wrap.clientWidth).map(wrap => wrap.innerText.slice(0, 40))""")
    assert scrolling == []


SMALL_TEXT = f"""() => {{
    const small = new Set(), walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode());) {{
        const element = node.parentElement;
        if (!node.data.trim() || !element.getClientRects().length) continue;
        const size = parseFloat(getComputedStyle(element).fontSize);
        if (size < {LEGIBLE_PX}) small.add(`${{element.tagName}} ${{size}}px: ${{node.data.trim().slice(0, 30)}}`);
    }}
    return [...small];
}}"""

# How many characters of a code block's own font fit on its first lines (beside the copy button) and on the
# lines below, measured by filling the block with long lines of zeros; the block's text is put back after.
CODE_CAPACITY = """(code) => {
    const saved = code.innerHTML, range = document.createRange();
    code.textContent = "0".repeat(200) + "\\n" + "0".repeat(200) + "\\n" + "0".repeat(200);
    code.scrollIntoView({block: "center"});
    const text = code.firstChild, lines = [];
    for (let start = 0; start < text.length; start = text.data.indexOf("\\n", start) + 1 || text.length) {
        range.setStart(text, start); range.setEnd(text, start + 1);
        const top = range.getBoundingClientRect().top, right = code.getBoundingClientRect().right;
        let fit = 0;
        for (let i = start; text.data[i] === "0"; i++, fit++) {
            range.setStart(text, i); range.setEnd(text, i + 1);
            const box = range.getBoundingClientRect();
            const x = box.left + box.width / 2, y = box.top + box.height / 2;
            const covered = !code.contains(document.elementFromPoint(x, y));
            if (Math.abs(box.top - top) > 1 || box.right > right || covered) break;
        }
        lines.push(fit);
    }
    code.innerHTML = saved;
    return lines;
}"""


def code_lines_hold_79_characters(page):
    """Each shown code block holds a line of LINE characters, beside the copy button and below it; the number of
    blocks checked."""
    blocks = each_shown(page, ".md-content pre > code",
                        f"code => [code.innerText.slice(0, 80), ({CODE_CAPACITY})(code)]")
    for text, capacity in blocks:
        assert min(capacity) >= LINE, text
    return len(blocks)


def smallest_text(svg_text):
    """The smallest font size in an SVG of matplotlib's (text drawn as glyph paths, each text's group scaled by
    font size / 100), and the SVG's width, in the same user units."""
    sizes = [float(scale) * 100 for scale in re.findall(r"scale\((\d*\.?\d+) -\1\)", svg_text)]
    width = float(re.search(r'viewBox="0 0 ([\d.]+) [\d.]+"', svg_text).group(1))
    return min(sizes), width


# An image scrolled to and loaded: its attributes, its natural size and its width on screen.
LOADED_IMAGE = """async image => {
    image.scrollIntoView({block: "center"});
    if (!image.complete) {
        await new Promise(done => ["load", "error"].forEach(event =>
            image.addEventListener(event, done, {once: true})));
    }
    return {src: image.getAttribute("src"), loading: image.getAttribute("loading"),
            size: [image.getAttribute("width"), image.getAttribute("height")].map(Number),
            natural: [image.naturalWidth, image.naturalHeight], width: image.getBoundingClientRect().width};
}"""

# Each figure of the page: how many images it has, the one shown (as the palette shows it) and whether it is below
# the fold (the page at its top); then that image, loaded (LOADED_IMAGE).
FIGURES = "async () => { const loaded = " + LOADED_IMAGE + """;
    scrollTo(0, 0);
    const figures = [...document.querySelectorAll("figure.result-figure")].map(figure => {
        const images = [...figure.querySelectorAll("img")];
        const shown = images.filter(image => image.getBoundingClientRect().width > 0
                                             && getComputedStyle(image).visibility !== "hidden");
        return {figure, images: images.length, shown,
                belowTheFold: shown.length === 1 && shown[0].getBoundingClientRect().top + scrollY >= innerHeight};
    });
    const results = [];
    for (const {figure, images, shown, belowTheFold} of figures) {
        const result = {images, shown: shown.length, html: figure.innerHTML, belowTheFold};
        results.push(shown.length === 1 ? {...result, ...await loaded(shown[0])} : result);
    }
    return results;
}"""


def figures_read_well(page):
    """In the palette shown, each figure shows one image, the palette's; it has its width and height, is lazy-loaded
    and below the fold; and once scrolled to, its smallest text is at least FIGURE_TEXT_PX CSS px on screen."""
    palette = FIGURE_VARIANT[page.locator("body").get_attribute("data-md-color-scheme")]
    for figure in page.evaluate(FIGURES):
        assert figure["images"] == len(FIGURE_VARIANT)
        assert figure["shown"] == 1, figure["html"]
        assert figure["src"].endswith(f"#only-{palette}")
        assert figure["loading"] == "lazy"
        assert figure["belowTheFold"], f"a lazy figure above the fold: {figure['src']}"
        assert figure["natural"] == figure["size"] and min(figure["size"]) > 0, figure["src"]
        file = figure["src"].rsplit("/", 1)[1].split("#")[0]
        font, svg_width = smallest_text((FIGURES_DIR / file).read_text())
        rendered = font * figure["width"] / svg_width
        assert rendered >= FIGURE_TEXT_PX, f"{file}: text {rendered:.1f} CSS px"
    # The caption's provenance box reads as the boxes under the figure do, not in the caption's centred italics.
    provenance = page.locator("figcaption .result-provenance").first
    assert provenance.evaluate("box => [getComputedStyle(box).fontStyle, getComputedStyle(box).textAlign]") == \
        ["normal", "start"]


# Each shown plot that a code block drew: whether it is below the fold (the page at its top), then the plot,
# loaded (LOADED_IMAGE).
PLOTS = "async () => { const loaded = " + LOADED_IMAGE + """;
    scrollTo(0, 0);
    const plots = [...document.querySelectorAll("img.snippet-image")].filter(image => image.getClientRects().length)
        .map(image => ({image, belowTheFold: image.getBoundingClientRect().top + scrollY >= innerHeight}));
    const results = [];
    for (const {image, belowTheFold} of plots) results.push({belowTheFold, ...await loaded(image)});
    return results;
}"""


def plots_load_when_scrolled_to(page):
    """Each plot is a file of its own (not a data: URL, which a phone downloads with the page), lazy and below the
    fold, sized as it loads."""
    for plot in page.evaluate(PLOTS):
        assert not plot["src"].startswith("data:"), "a plot inlined in the page"
        assert plot["loading"] == "lazy" and plot["belowTheFold"], plot["src"]
        assert plot["natural"] == plot["size"] and min(plot["size"]) > 0, plot["src"]


# Folded content is checked too: one <details> and one quiz region of each kind opened (the others are styled the
# same). A quiz region opens as its button opens it, even where the button waits for an answer to show.
OPEN_ONE_FOLD_OF_EACH_KIND = """() => {
    const kinds = new Set();
    for (const details of document.querySelectorAll(".md-content details:not([open])")) {
        if (!kinds.has(details.className)) details.open = true;
        kinds.add(details.className);
    }
    for (const button of document.querySelectorAll(".quiz-toggle[aria-expanded=false]")) {
        if (!kinds.has(button.className)) {
            button.hidden = false;
            button.click();
        }
        kinds.add(button.className);
    }
}"""


def passes_axe_in_both_palettes(page):
    page.evaluate(OPEN_ONE_FOLD_OF_EACH_KIND)
    for scheme, rules in AXE_RULES.items():
        use_palette(page, scheme)
        assert axe_violations(page, rules=rules) == [], scheme  # nothing excluded


# One visit per page and viewport for every check of how the page reads (a visit costs more than most checks).
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("url", source_pages())
def test_each_page_loads_cleanly_and_reads_well(page, url, viewport):
    page.set_viewport_size({"phone": PHONE, "desktop": DESKTOP}[viewport])
    response = page.goto(url)
    assert response.ok, f"HTTP {response.status}"
    assert page.title()
    # Every code block has its copy button (put in the page by sitebuild/hooks.py), measured with the block.
    expect(page.locator(".md-code__nav")).to_have_count(page.locator(".md-content pre > code").count())
    assert page.evaluate(SMALL_TEXT) == []
    tables_fit_and_keep_inline_code_whole(page)
    # A page with outputs or code blocks shows some of them (the others may be in a closed tab).
    assert outputs_show_every_character(page) > 0 or page.locator("pre.snippet-output").count() == 0
    plots_load_when_scrolled_to(page)
    if page.locator("figure.result-figure").count():
        for scheme in FIGURE_VARIANT:
            use_palette(page, scheme)
            figures_read_well(page)
    if viewport == "desktop":
        assert code_lines_hold_79_characters(page) > 0 or page.locator(".md-content pre > code").count() == 0
        page.evaluate("scrollTo(0, 0)")  # where a reader starts, and where axe ran before the checks above
        passes_axe_in_both_palettes(page)
    page.wait_for_load_state("networkidle")  # the page fixture fails the test on a console error or a failed request


# The colour each token that the build leaves bare (sitebuild/hooks.py, PLAIN_TOKENS: names, operators, punctuation;
# spaces need none) would have in its Pygments <span>, beside the colour of the bare text around it, in the first
# code block of the page.
BARE_TOKENS = ["n", "o", "p"]
TOKEN_AND_TEXT_COLOURS = """(classes) => {
    const code = document.querySelector(".md-content :is(.highlight, .highlight-ipynb) pre :has(> span), "
                                        + ".md-content .highlight-ipynb pre");
    const colours = {};
    for (const name of classes) {
        const token = document.createElement("span");
        token.className = name;
        code.append(token);
        colours[name] = getComputedStyle(token).color;
        token.remove();
    }
    return [colours, getComputedStyle(code).color];
}"""


def test_code_names_operators_punctuation_and_spaces_need_no_span_of_their_own(page, built_site):
    pages = [pages_with(built_site, 'class="highlight"')[0], pages_with(built_site, 'class="highlight-ipynb')[0]]
    for url in pages:
        page.goto(url)
        assert page.locator(".md-content pre span:is(.n, .w, .o, .p)").count() == 0, url
        assert page.locator(".md-content pre span:is(.k, .kn)").count() > 0, url  # other tokens keep their colours
        for scheme in ("default", "slate"):
            use_palette(page, scheme)
            tokens, text = page.evaluate(TOKEN_AND_TEXT_COLOURS, BARE_TOKENS)
            assert tokens == dict.fromkeys(BARE_TOKENS, text), (url, scheme)
