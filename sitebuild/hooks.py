"""mkdocs hooks: publish the pretrained base model beside the pages so readers can download it."""

from pathlib import Path

from mkdocs.structure.files import File

MODELS = Path(__file__).resolve().parent.parent / "models"


def on_files(files, config):
    for model in sorted(MODELS.glob("*.keras")):
        files.append(File.generated(config, f"models/{model.name}", abs_src_path=str(model)))
    return files
