"""The prebuilt run's numbers and figures on the pages: the macros `result`, `difference`, `ratio`,
`chosen_lr`, `provenance` and `figure`. What the numbers are, how they are read and summarised, and what each
figure shows come from the results contract (`experiments.contract`, `experiments.figure_specs`); this module
only renders them.
"""

import functools
import html

from experiments import contract
from experiments.contract import (ResultsError, chosen_learning_rate, difference_unit, format_number,
                                  format_value, metric_definition, summary)
from experiments.figure_specs import BASE_LABELS, FIGURES, METHOD_LABELS, PALETTES, WIDTH, svg_name

CSS_PX_PER_INCH = 96


def _cell(value, metric):
    if value is None:  # nothing to show in this row (e.g. scratch's difference from itself)
        return "—"
    if isinstance(value, dict):  # a summary over seeds
        return f"{format_value(metric, value['mean'])} ± {format_value(metric, value['std'])}"
    if metric:
        return format_value(metric, value)
    if isinstance(value, float):
        return f"{value:g}"
    return METHOD_LABELS.get(value, BASE_LABELS.get(value, str(value)))


def provenance_text(data):
    """One sentence saying where and how a results file was produced."""
    source = data["provenance"]
    versions = ", ".join(f"{name} {number}" for name, number in source["versions"].items())
    seeds = ", ".join(map(str, source["seeds"]))
    return (f"Experiment {data['experiment']}, profile {source['profile']}, seeds {seeds}; {source['hardware']}, "
            f"accelerator: {source['accelerator']}; backend {source['backend']} ({versions}); "
            f"{source['date']}, {source['wall_seconds']:.0f} s, commit {source['git_commit'][:10]}"
            + " with uncommitted code changes" * source["git_commit"].endswith("-dirty") + ".")


def _rate(rate):
    """A learning rate as the pages write it: 1e-3."""
    return f"{rate:.0e}".replace("e-0", "e-")


def _listed(values):
    values = [str(value) for value in values]
    return values[0] if len(values) == 1 else f"{', '.join(values[:-1])} and {values[-1]}"


def protocol_html(settings):
    """"How this was measured", from what the run recorded in the results file's settings."""
    budget, rates, validation = settings["budget"], settings["learning_rates"], settings["validation"]
    phase = rates["fine_tuning_phase"]
    chosen = ("chosen on validation like every other choice" if phase == "chosen" else
              f"each of {_listed(list(map(_rate, rates['swept'])))} (the sweep: no choice)" if phase == "swept" else
              f"{_rate(rates['fixed'])} for every variant (the experiment compares settings, not rates)")
    candidates = "; ".join(f"{METHOD_LABELS.get(method, method)}: {_listed(map(_rate, values))}"
                           for method, values in rates["candidates"].items())
    items = [
        ("Task", f"{settings['task']['target']}. Test: {settings['task']['test']}."),
        ("Training sets", f"{_listed(settings['sizes'])} images per class, drawn anew for each seed "
                          f"({_listed(settings['seeds'])})."),
        ("Validation", f"{validation['rule']} (n being the training images per class: "
                       + _listed(f"{count} for n = {n}" for count, n in zip(validation["per_class"], settings["sizes"]))
                       + ")."),
        ("Budget", f"at most {budget['epochs']} epochs for every method, an epoch being the training set repeated "
                   f"to {_listed(f'{examples:,}' for examples in budget['epoch_examples'])} examples, batches of "
                   f"{budget['batch_size']}; fine-tuning spends it as {budget['head_epochs']} epochs for the head "
                   f"and {budget['fine_tune_epochs']} for fine-tuning; {budget['rule']} (patience "
                   f"{budget['patience']} epochs)."),
        ("Learning rates", f"{rates['rule']}. Candidates: {candidates}. The fine-tuning phase's rate: {chosen}."),
    ]
    if "bases" in settings:
        items.append(("Bases", "; ".join(f"{BASE_LABELS.get(name, name)}: {base['classes']}, "
                                         f"{base['images']} images" + ", labels shuffled" * base["shuffled_labels"]
                                         for name, base in settings["bases"].items()) + "."))
    if "augmentation" in settings:
        items.append(("Augmentation", settings["augmentation"] + "."))
    # One method a line: a method's description may hold semicolons of its own.
    methods = "".join(f"<li>{html.escape(METHOD_LABELS.get(method, method))}: {html.escape(description)}.</li>"
                      for method, description in settings["methods"].items())
    return ('<details class="result-protocol"><summary>How this was measured</summary><ul>'
            + "".join(f"<li><strong>{html.escape(label)}:</strong> {html.escape(text)}</li>" for label, text in items)
            + f"<li><strong>Methods:</strong><ul>{methods}</ul></li></ul></details>\n")


def figure_markdown(name, page_path, load):
    """The figure in both palettes (image links relative to the page's Markdown file, lazy-loaded with their
    size), its caption with the run's provenance folded, and the table of its points; `load(experiment)` gives the
    experiment's results."""
    if name not in FIGURES:
        raise ResultsError(f"unknown figure {name!r}; known: {', '.join(FIGURES)}")
    spec = FIGURES[name]
    data = load(spec.experiment)
    size = f'width="{round(WIDTH * CSS_PX_PER_INCH)}" height="{round(spec.height * CSS_PX_PER_INCH)}"'
    images = "\n".join(f'![{spec.alt}]({"../" * page_path.count("/")}figures/{svg_name(name, palette)}'
                       f"#only-{palette}){{ {size} loading=lazy }}" for palette in PALETTES)
    caption = spec.caption.format(sizes=" and ".join(map(str, data["settings"]["sizes"])))
    points = spec.points(data)
    header = "".join(f"<th>{html.escape(column.heading)}</th>" for column in spec.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(getattr(point, column.field), column.metric))}</td>"
                                    for column in spec.columns) + "</tr>" for point in points)
    over_seeds = any(isinstance(value, dict) for point in points for value in point)
    kind = "mean ± standard deviation over seeds" if over_seeds else "one run"
    return (f'<figure class="result-figure" markdown>\n\n{images}\n\n'
            f"<figcaption>{html.escape(caption)}\n"
            f'<details class="result-provenance"><summary>Where and when this ran</summary>'
            f"{html.escape(provenance_text(data))}</details></figcaption>\n"
            f"</figure>\n\n{protocol_html(data['settings'])}"
            f"<details class=\"result-numbers\"><summary>The numbers behind this figure ({kind})</summary>\n"
            f"<table><thead><tr>{header}</tr></thead>"
            f"<tbody>{body}</tbody></table>\n</details>\n")


def register_macros(env, results=None):
    """`result`, `difference`, `ratio`, `chosen_lr`, `provenance` and `figure` for the pages."""

    @functools.cache  # each results file read once per build, not once per number (this runs on every build)
    def load(experiment):
        return contract.load(experiment, results)

    @env.macro
    def result(experiment, method=None, metric="test_accuracy", spread=False, **where):
        """A measured number, e.g. result("data_size", "fine_tuning", n=5) -> "74.3 %"; with spread=True,
        "74.3 % (± 3.2, 3 seeds)" (the standard deviation, in the mean's unit)."""
        if method is not None:
            where["method"] = method
        stats = summary(load(experiment), metric, **where)
        text = format_value(metric, stats["mean"])
        if spread:
            text += f" (± {format_number(metric, stats['std'])}, {stats['count']} seeds)"
        return text

    @env.macro
    def difference(experiment, first, second, metric="test_accuracy"):
        """mean(first) - mean(second) in the metric's unit (accuracies differ by points), e.g.
        first={"method": "fine_tuning", "n": 5}, second={"method": "scratch", "n": 5}. Taken between the means
        as `result` prints them, so a reader subtracting the two printed numbers gets the same."""
        data = load(experiment)
        printed = [float(format_number(metric, summary(data, metric, **where)["mean"])) for where in (first, second)]
        unit = difference_unit(metric)
        return f"{printed[0] - printed[1]:{metric_definition(metric).digits}}" + (f" {unit}" if unit else "")

    @env.macro
    def ratio(experiment, numerator, denominator, metric="epoch_seconds"):
        """mean(numerator) / mean(denominator), e.g. "2.4×"."""
        data = load(experiment)
        return f"{summary(data, metric, **numerator)['mean'] / summary(data, metric, **denominator)['mean']:.1f}×"

    @env.macro
    def chosen_lr(n):
        """The rate of lr_sweep with the lowest mean validation loss at n examples per class, e.g. "1e-4" (as
        the pages write rates)."""
        return f"{chosen_learning_rate(load('lr_sweep'), n):.0e}".replace("e-0", "e-")

    @env.macro
    def provenance(experiment):
        return provenance_text(load(experiment))

    @env.macro
    def figure(name):
        return figure_markdown(name, env.page.file.src_uri, load)
