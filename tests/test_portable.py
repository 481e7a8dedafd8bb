"""The repository works on any machine: no tracked file names a path that exists only on a development machine."""

import re
import subprocess

from conftest import ROOT

# A home folder, a checkout or a temporary test folder of some machine (Linux, macOS, Windows). Not matched: a
# path inside the repository that only ends like one (`bench/work/`: the lookbehind rules out a preceding name), nor
# the system paths the code uses on purpose, the same on every Debian machine (/usr/bin/chromium, /usr/share/...).
MACHINE_PATH = re.compile(rb"(?<![\w.~/-])(/(work|root|home|Users)/|/tmp/pytest|/private/var/folders/|"
                          rb"[A-Za-z]:\\Users\\)")


def tracked_files():
    listing = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [ROOT / name for name in listing.decode().split("\0") if name and (ROOT / name).is_file()]


def test_no_tracked_file_names_a_development_machines_path():
    files = tracked_files()
    assert ROOT / "README.md" in files
    found = []
    for path in sorted(set(files) - {ROOT / "tests" / "test_portable.py"}):  # it names such paths to test the pattern
        for number, line in enumerate(path.read_bytes().splitlines(), start=1):
            if match := MACHINE_PATH.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {match.group().decode(errors='replace')}")
    assert not found, "paths of a development machine:\n" + "\n".join(found)


def test_the_pattern_finds_machine_paths_and_nothing_else():
    machine = [b'SEED = Path("/work/shared/seed/cards.txt")', b"cp ~/x /root/.keras/", b"see /home/ann/site",
               b"/Users/ann/lessons", b"/tmp/pytest-of-root/pytest-3/site0", rb"C:\Users\ann\lessons",
               b"/private/var/folders/x1/T/site"]
    portable = [b"bench/work/ holds a throwaway venv", b"/usr/bin/chromium", b"/usr/share/datasets/fashion-mnist",
                b"~/.keras/datasets/", b"https://example.org/home/page", b"docs/work/index.md", b"./root/x"]
    assert [line for line in machine if not MACHINE_PATH.search(line)] == []
    assert [line for line in portable if MACHINE_PATH.search(line)] == []
