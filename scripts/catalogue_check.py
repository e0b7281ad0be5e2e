#!/usr/bin/env python3
"""Check the vi and en catalogues against the code.

Regenerates the catalogues with ``makemessages`` into a scratch copy of the
tree's locale folder and fails when the code has a string that the committed
catalogue lacks, or when a catalogue entry is empty or fuzzy. Run by
``make messages-check`` (and so by CI); needs GNU gettext.
"""

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("vi", "en")
IGNORE = [".venv", "node_modules", "staticfiles", "var", "build", "*/tests/*", "bench", "scripts"]


def entries(po: Path) -> dict[tuple[str, str], list[str]]:
    """(msgctxt, msgid) → msgstrs of a .po file; fuzzy entries get no msgstrs."""
    result: dict[tuple[str, str], list[str]] = {}
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        fields: dict[str, str] = {}
        key = None
        for line in lines:
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                key = match.group(1)
                fields[key] = match.group(2)
            elif line.startswith('"') and key:
                fields[key] += line[1:-1]
        if "msgid" not in fields or fields["msgid"] == "":
            continue
        strs = [v for k, v in fields.items() if k.startswith("msgstr")]
        result[(fields.get("msgctxt", ""), fields["msgid"])] = [] if fuzzy else strs
    return result


def main() -> int:
    problems = []
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "tree"
        ignore = shutil.ignore_patterns(".venv", "node_modules", "staticfiles", "var", ".git")
        shutil.copytree(ROOT, copy, ignore=ignore, symlinks=True)
        (copy / ".venv").symlink_to(ROOT / ".venv")
        command = [str(ROOT / ".venv/bin/python"), "manage.py", "makemessages", "-v", "0"]
        command += [f"--locale={lang}" for lang in LANGUAGES]
        command += [f"--ignore={pattern}" for pattern in IGNORE]
        subprocess.run(command, cwd=copy, check=True)
        for lang in LANGUAGES:
            committed = entries(ROOT / "locale" / lang / "LC_MESSAGES" / "django.po")
            fresh = entries(copy / "locale" / lang / "LC_MESSAGES" / "django.po")
            for key in sorted(set(fresh) - set(committed)):
                problems.append(f"{lang}: not in the catalogue: {key[1]!r}")
            for key, strs in committed.items():
                if not strs or not all(strs):
                    problems.append(f"{lang}: untranslated or fuzzy: {key[1]!r}")
    for line in problems:
        print(line)
    print(f"catalogues: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
