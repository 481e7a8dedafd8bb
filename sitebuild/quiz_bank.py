"""The question bank: read quizzes/*.yml and check each item against quizzes/schema.json and the rules a schema
cannot state, among them that what a choice says it `measured` names results that experiments/results/ holds.

Every problem is reported with its file, line and item id, and fails the build: no item is dropped.
"""

import difflib
import functools
import json
import re
from pathlib import Path

import jsonschema
import yaml
from mkdocs.exceptions import PluginError

from experiments import contract
from experiments.contract import ResultsError
from sitebuild.pages import relative

BANK = Path(__file__).resolve().parent.parent / "quizzes"
SCHEMA_COMMENT = "# yaml-language-server: $schema=schema.json"
SCHEMA_LINE = re.compile(r"# yaml-language-server: \$schema=\S*schema\.json\n")
YAML_TYPES = {"object": "a mapping", "array": "a list", "string": "text", "boolean": "true or false"}
QUOTING_HINT = "text holding '{{' or ': ' needs quotes or a '>-' block"


class BankError(PluginError):
    """The question bank, or a page's use of it, is invalid; the message lists every problem."""


class Bank(dict):
    """{lesson stem: [item, ...]}, knowing where each item was written, so that a problem found later (in a
    macro of its text) names the file and line too."""

    def __init__(self):
        super().__init__()
        self.sources = {}  # item id -> (bank file, the item's YAML node)

    def locate(self, item_id, field_path):
        """"file:line: item 'id': field" of one field of an item, e.g. field_path ("choices", 0, "text")."""
        name, node = self.sources[item_id]
        return f"{name}:{_line(node, list(field_path))}: item '{item_id}': {_field_name(field_path)}"


class _Unreadable(Exception):
    """A file that is not UTF-8 or not YAML: one problem at one line, and nothing else can be checked."""

    def __init__(self, line, message):
        super().__init__(f"{line}: {message}")


def load_bank(files=None, schema=BANK / "schema.json"):
    """Return the Bank {lesson stem: [item, ...]} of the bank files (default: quizzes/*.yml), or raise BankError."""
    files = sorted(BANK.glob("*.yml")) if files is None else files
    validator = jsonschema.Draft202012Validator(json.loads(schema.read_text()))
    load_results = functools.cache(contract.load)  # each results file read once per bank
    bank, problems, first_seen = Bank(), [], {}
    for path in files:
        file_problems, items = _check_file(path, validator, load_results)
        problems += file_problems + list(_duplicate_ids(items, first_seen))
        bank[path.stem] = [item for item, _, _ in items]
        bank.sources.update((item["id"], (name, node)) for item, name, node in items
                            if isinstance(item, dict) and "id" in item)
    if not bank:
        problems.append(f"{relative(BANK)}: no *.yml bank files")
    if problems:
        raise BankError("invalid quiz bank:\n  " + "\n  ".join(problems))
    return bank


def _check_file(path, validator, load_results):
    """(problems, [(item, file name, its YAML node)]) of one bank file."""
    name = relative(path)
    try:
        text = _decode(path.read_bytes())
    except _Unreadable as error:
        return [f"{name}:{error}"], []
    problems = [] if SCHEMA_LINE.match(text) else [f"{name}:1: the file must start with the line '{SCHEMA_COMMENT}'"]
    try:
        root, data = _parse(text)
    except _Unreadable as error:
        return [*problems, f"{name}:{error}"], []
    if not isinstance(data, list) or not data:
        return [*problems, f"{name}:1: the file must be a non-empty list of items"], []
    found = _duplicate_keys(root) + _schema_problems(root, data, validator)
    invalid = {index for _, index, _ in found}
    found += _choice_problems(root, data, invalid) + _measured_problems(root, data, invalid, load_results)
    problems += [f"{name}:{line}: {_label(data[index], index)}: {message}" for line, index, message in sorted(found)]
    return problems, [(item, name, node) for item, node in zip(data, root.value)]


def _decode(raw):
    """The file's text with newlines as `\\n`, or _Unreadable naming the line of the first byte that is not UTF-8."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        raise _Unreadable(raw.count(b"\n", 0, error.start) + 1,
                          f"not UTF-8: cannot decode byte 0x{raw[error.start]:02x} at column "
                          f"{error.start - line_start + 1} (byte offset {error.start}): {error.reason}; "
                          "save the file as UTF-8") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _parse(text):
    """(root node, data) of the YAML document in `text`; the node tree gives each value its line."""
    loader = yaml.CSafeLoader(text)  # libyaml, in every PyYAML wheel: the build reads the bank in a tenth of the time
    try:
        root = loader.get_single_node()
        return root, loader.construct_document(root) if root else None
    except yaml.YAMLError as error:
        mark, context = getattr(error, "problem_mark", None), getattr(error, "context_mark", None)
        started = f" ({error.context} at line {context.line + 1})" if context else ""
        hint = _quoting_hint(text.split("\n")[mark.line]) if mark else ""
        raise _Unreadable(mark.line + 1 if mark else 1,
                          f"YAML syntax error: {getattr(error, 'problem', None) or error}{started}{hint}") from None
    finally:
        loader.dispose()


def _quoting_hint(line):
    """The usual cause of a syntax error in a bank, when the line shows it: text holding '{{' or ': ' unquoted."""
    value = line.split(": ", 1)[-1].strip()  # past the line's key, if it has one
    quoted = value[:1] in ("'", '"')
    return f"; {QUOTING_HINT}" if not quoted and ("{{" in value or ": " in value) else ""


def _label(item, index):
    return f"item '{item['id']}'" if isinstance(item, dict) and isinstance(item.get("id"), str) else f"item {index + 1}"


def _duplicate_ids(items, first_seen):
    """Problems for ids defined earlier, in this file or another; records the ids seen in `first_seen`."""
    for item, name, node in items:
        item_id = item.get("id") if isinstance(item, dict) else None
        location = f"{name}:{node.start_mark.line + 1}"
        if isinstance(item_id, str) and item_id in first_seen:
            yield f"{location}: item '{item_id}': duplicate id '{item_id}' (first defined at {first_seen[item_id]})"
        elif isinstance(item_id, str):
            first_seen[item_id] = location


# --- problems within one file: [(line, item index, message)] --------------------------------------------------


def _duplicate_keys(root):
    """A key repeating an earlier one in the same mapping (YAML would keep the last one silently)."""
    return [(key.start_mark.line + 1, index, f"duplicate key '{key.value}'")
            for index, node in enumerate(root.value) for key in _repeated_keys(node)]


def _repeated_keys(node):
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key, value in node.value:
            if key.value in seen:
                yield key
            seen.add(key.value)
            yield from _repeated_keys(value)
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            yield from _repeated_keys(child)


def _schema_problems(root, data, validator):
    found = []
    for error in validator.iter_errors(data):
        index, *field_path = error.absolute_path
        for path, message in _explain(error, field_path):
            field = _field_name(path)
            found.append((_line(root, [index, *path]), index, f"{field + ': ' if field else ''}{message}"))
    return found


def _choice_problems(root, data, skip):
    """A single-choice item needs exactly one correct choice, a multiple-choice one at least one."""
    found = []
    for index, item in enumerate(data):
        if index in skip or item["kind"] != "choice":
            continue
        correct = sum(choice.get("correct", False) for choice in item["choices"])
        line = _line(root, [index, "choices"])
        if not item.get("multiple") and correct != 1:
            found.append((line, index, ("choices: a single-choice item needs exactly one choice with "
                                        f"'correct: true', found {correct} (set 'multiple: true' for several)")))
        elif correct == 0:
            found.append((line, index, "choices: no choice has 'correct: true'"))
    return found


def _measured_problems(root, data, skip, load_results):
    """A `measured` comparison must name an experiment, a metric and runs that the results hold."""
    found = []
    for index, item in enumerate(data):
        if index in skip:
            continue
        for choice_index, choice in enumerate(item.get("choices", [])):
            for number, comparison in enumerate(choice.get("measured", [])):
                if problem := _comparison_problem(comparison, load_results):
                    path = ["choices", choice_index, "measured", number, problem[0]]
                    found.append((_line(root, [index, *path]), index, f"{_field_name(path)}: {problem[1]}"))
    return found


def _comparison_problem(comparison, load_results):
    """(key, what is wrong) for the first part of a comparison that the results lack, or None: the checks are
    experiments.contract's, as the test of the comparison's truth (tests/test_quiz_bank.py) uses them."""
    metric = comparison.get("metric", "test_accuracy")
    checks = {"experiment": lambda: load_results(comparison["experiment"]),
              "metric": lambda: contract.metric_definition(metric),
              "compare": lambda: contract.paired_difference(load_results(comparison["experiment"]), metric,
                                                            *comparison["compare"])}
    for key, check in checks.items():
        try:
            check()
        except ResultsError as error:
            return key, str(error)
    return None


# --- schema errors in plain words -------------------------------------------------------------------------------


def _explain(error, field_path):
    """Yield (field path, plain message) for one schema error; unknown keys point at the key itself."""
    if error.validator == "additionalProperties":
        allowed = list(error.schema["properties"])
        for key in sorted(set(error.instance) - set(allowed)):
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else f" (allowed: {', '.join(allowed)})"
            yield [*field_path, (key,)], f"unknown key '{key}'{hint}"
    else:
        yield field_path, MESSAGES.get(error.validator, lambda error: error.message)(error)


def _missing(error):
    return "missing field " + re.match(r"('.*?') is a required", error.message).group(1)


def _wrong_type(error):
    expected = YAML_TYPES.get(error.validator_value, error.validator_value)
    return f"must be {expected}, not {_yaml_type(error.instance)}"


def _no_match(error):
    if error.validator_value == r"\S":
        return "must not be empty"
    if "_" in error.validator_value:  # an experiment or metric name
        return f"{error.instance!r} is not a valid name (use lowercase letters, digits and underscores)"
    return f"{error.instance!r} is not a valid id (use lowercase letters, digits and single hyphens)"


def _not_listed(error):
    if list(error.absolute_path)[1:] == ["kind"]:
        return f"unknown kind {error.instance!r} (expected one of {', '.join(error.validator_value)})"
    return f"{error.instance!r} is not one of {', '.join(error.validator_value)}"


def _entry_count(error):
    low, high = error.schema.get("minItems", 0), error.schema.get("maxItems")
    return f"has {len(error.instance)} entries, needs {f'{low} to {high}' if high else f'at least {low}'}"


MESSAGES = {  # JSON Schema keyword -> the message for a value that breaks it
    "required": _missing,
    "type": _wrong_type,
    "pattern": _no_match,
    "enum": _not_listed,
    "minItems": _entry_count,
    "maxItems": _entry_count,
    "uniqueItems": lambda error: "lists the same entry twice",
}


def _yaml_type(value):
    if value is None:
        return "empty"
    names = {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list", dict: "a mapping"}
    return names.get(type(value), type(value).__name__)


def _field_name(field_path):
    name = ""
    for part in field_path:
        if isinstance(part, int):
            name += f"[{part}]"
        elif not isinstance(part, tuple):  # a tuple marks an unknown key: the message names it
            name += f".{part}" if name else part
    return name


def _line(node, path):
    """1-based line of the node at `path` (of its key, for a mapping entry); the nearest parent's if absent."""
    for depth, step in enumerate(path, 1):
        if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        elif isinstance(node, yaml.MappingNode):
            key = step[0] if isinstance(step, tuple) else step
            match = [(k, v) for k, v in node.value if k.value == key]
            if not match:
                break
            node = match[0][0] if depth == len(path) else match[0][1]
        else:
            break
    return node.start_mark.line + 1
