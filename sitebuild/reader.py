"""What a reader of the lessons' code has: Keras on TensorFlow (or JAX) at the versions the site is tested with,
and, in the folder the code runs from, what the code asks for.

The snippet tests and the notebooks set a fresh folder up from this one table, so nothing hidden makes a snippet
work; and each notebook tells its reader the same needs (`needs_text`). A need is found in the code itself (the
file name or argument it depends on), so it follows the snippets wherever they move.
"""

import shutil
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Callable

from sitebuild import data
from sitebuild.pages import ROOT

MODEL = ROOT / "models" / "fashion_base.keras"


@dataclass(frozen=True)
class Need:
    used_as: str  # the text in the code that means the code needs it
    tell: str  # what the notebook asks its reader to do (Markdown; {site_url} and {lesson_url} are filled in)
    provide: Callable[[Path], object]  # what the tests put in a fresh folder instead


NEEDS = {
    "base model": Need(
        '"fashion_base.keras"',
        "download the pretrained base model [fashion_base.keras]({site_url}models/fashion_base.keras) and put it "
        "in the same folder as this notebook (in Colab: upload it with the Files panel on the left)",
        lambda folder: shutil.copy(MODEL, folder)),
    "your images": Need(
        '"my_images"',
        "make a folder `my_images` in the same folder as this notebook, with one sub-folder of your images per "
        "class, named after the class: `my_images/cat/…`, `my_images/dog/…` (in Colab: upload them with the Files "
        "panel on the left); [the lesson]({lesson_url}#what-you-need) says which images and how many",
        data.make_example_images),  # Fashion-MNIST images of four classes
    "your test images": Need(
        '"my_test_images"',
        "make a second folder, `my_test_images`, with the same sub-folders, holding other images of each class that "
        "you set aside for the final test and never train or tune on",
        data.make_example_test_images),
    "ImageNet weights": Need(
        'weights="imagenet"',
        "be online the first time you run it: Keras downloads the pretrained ImageNet weights then",
        lambda folder: data.provide_standin_imagenet_weights()),  # stand-ins in Keras's home (no network here)
}


def needs(code):
    """The names of the needs of this code, in NEEDS's order."""
    return [name for name, need in NEEDS.items() if need.used_as in code]


def prepare_reader_folder(folder, code):
    """Put in `folder` what a reader of this code has: whatever of NEEDS the code asks for."""
    for name in needs(code):
        NEEDS[name].provide(Path(folder))


def needs_text(code, site_url, lesson_url):
    """"Before you run it, …": what a notebook of this code asks its reader to get ready, or "" when nothing."""
    tells = [NEEDS[name].tell.format(site_url=site_url, lesson_url=lesson_url) for name in needs(code)]
    if len(tells) < 2:
        return "".join(f"Before you run it, {tell}." for tell in tells)
    return "Before you run it:\n\n" + "\n".join(f"- {tell};" for tell in tells[:-1]) + f"\n- {tells[-1]}."


def page_variables():
    """What the lesson pages (mkdocs-macros) and their notebooks fill in: the tested versions, and what lesson 8's
    example folders hold (`example_images.training`: "10 ankle boots, 10 bags, 8 sandals and 4 sneakers")."""
    training = [f"{count} {name.replace('_', ' ')}s" for name, count in data.EXAMPLE_IMAGES.items()]
    (test_per_class,) = set(data.EXAMPLE_TEST_IMAGES.values())
    return {"site_versions": tested_versions(),
            "example_images": {"training": ", ".join(training[:-1]) + " and " + training[-1],
                               "test_per_class": test_per_class}}


def tested_versions():
    """The TensorFlow, Keras and JAX versions the site is built and tested with, read without importing them."""
    try:
        tensorflow = version("tensorflow-cpu")
    except PackageNotFoundError:  # a GPU install: `tensorflow[and-cuda]`
        tensorflow = version("tensorflow")
    return {"tensorflow": tensorflow, "keras": version("keras"), "jax": version("jax")}
