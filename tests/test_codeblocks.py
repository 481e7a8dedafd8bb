"""The pages as pytest-codeblocks reads them (sitebuild/codeblocks.py): includes expanded, sections joined, training
blocks skipped with their reason, and each block run in a reader's folder with the network blocked."""

import subprocess
import sys

from conftest import ROOT
from sitebuild.codeblocks import CONTINUED, SKIP_TRAINING, marked_page, write_pages
from sitebuild.pages import LESSONS, SNIPPETS, file_blocks, markdown_pages


def test_sections_are_joined_and_training_blocks_skipped():
    lesson_8 = marked_page(LESSONS / "8-end-to-end.md")
    blocks = file_blocks(SNIPPETS / "l8_end_to_end.py")
    assert lesson_8.count(SKIP_TRAINING) == 1 and lesson_8.count(CONTINUED) == len(blocks) - 1
    assert lesson_8.index(SKIP_TRAINING) < lesson_8.index(CONTINUED)
    lesson_3 = marked_page(LESSONS / "3-freezing-in-tensorflow.md")
    assert SKIP_TRAINING not in lesson_3 and CONTINUED not in lesson_3  # nothing there trains
    assert SKIP_TRAINING not in marked_page(LESSONS / "8-end-to-end.md", run_all=True)
    # lesson 9 shows l9_mirror.py between two sections of l9_augmentation.py, which trains: both skipped
    lesson_9 = marked_page(LESSONS / "9-augmentation.md")
    assert lesson_9.count(SKIP_TRAINING) == 2 and lesson_9.count(CONTINUED) == 1


def test_every_page_is_written_with_its_includes_expanded(tmp_path):
    write_pages(tmp_path)
    written = sorted(path.relative_to(tmp_path) for path in tmp_path.rglob("*.md"))
    assert written == sorted(path.relative_to(ROOT / "docs") for path in markdown_pages())
    assert not [path for path in tmp_path.rglob("*.md") if '--8<-- "' in path.read_text()]
    lesson_3 = (tmp_path / "lessons" / "3-freezing-in-tensorflow.md").read_text()
    assert f"```python\n{(SNIPPETS / 'l3_layers.py').read_text().strip()}\n" in lesson_3


def test_a_block_runs_in_a_reader_folder_offline_and_a_failing_one_fails(tmp_path):
    page = tmp_path / "page.md"
    page.write_text('```python\nimport os, socket\nassert os.path.exists("fashion_base.keras")\n'
                    'try:\n    socket.create_connection(("127.0.0.1", 9), timeout=1)\nexcept OSError as error:\n'
                    '    assert "offline" in str(error), error\nelse:\n    raise AssertionError("network")\n```\n\n'
                    '```python\nraise ValueError("this block fails")\n```\n')
    result = subprocess.run([sys.executable, "-m", "pytest", "--codeblocks", "-q", "-p", "no:cacheprovider", str(page)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "1 failed, 1 passed" in result.stdout, result.stdout[-3000:]
    assert "this block fails" in result.stdout
