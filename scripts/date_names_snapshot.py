"""Write objections/domain/date_names_data.py: the month and weekday names that dates are written with, in kk, ru
and en, as the installed Babel gives them.

    .venv/bin/python scripts/date_names_snapshot.py

Web workers write dates from the snapshot instead of loading Babel's locale data (about 2 MB per language and
process, for a few dozen words). Run it after upgrading Babel; tests/domain/test_timefmt.py fails while the
snapshot and the installed Babel write any day differently.
"""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from babel import Locale

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from objections.domain.timefmt import BABEL_LOCALES  # noqa: E402

TARGET = ROOT / "objections" / "domain" / "date_names_data.py"


def main() -> None:
    lines = [
        f'"""Month and weekday names as dates are written in kk, ru and en, from Babel=={version("babel")}.',
        "",
        "Written by scripts/date_names_snapshot.py: do not edit by hand; run the script after upgrading Babel.",
        '"""',
        "",
        f'PACKAGE_VERSION = "{version("babel")}"',
        "",
        "# Babel locale -> the months' names in the 'format' context, wide (January first): 'd MMMM'",
        "MONTHS: dict[str, tuple[str, ...]] = {",
    ]
    for locale in BABEL_LOCALES.values():
        names = Locale.parse(locale).months["format"]["wide"]
        lines.append(f"    {locale!r}: {tuple(names[month] for month in range(1, 13))!r},")
    lines += [
        "}",
        "",
        "# Babel locale -> the weekdays' names, wide (Monday first): 'EEEE'",
        "WEEKDAYS: dict[str, tuple[str, ...]] = {",
    ]
    for locale in BABEL_LOCALES.values():
        names = Locale.parse(locale).days["format"]["wide"]
        lines.append(f"    {locale!r}: {tuple(names[day] for day in range(7))!r},")
    lines += ["}", ""]
    TARGET.write_text("\n".join(lines), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "ruff", "format", "--quiet", str(TARGET)], check=True)  # noqa: S603 - our own file
    print(f"wrote {TARGET.relative_to(ROOT)} from babel=={version('babel')}")


if __name__ == "__main__":
    main()
