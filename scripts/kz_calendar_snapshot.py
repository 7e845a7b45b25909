"""Write objections/domain/kz_calendar_data.py: Kazakhstan's holidays, days off and working weekend days for the
years the product works in, as the installed `holidays` package gives them.

    .venv/bin/python scripts/kz_calendar_snapshot.py

Web workers read the snapshot instead of importing the package (which loads every country: about 19 MB per
process). Run it after upgrading `holidays`; tests/domain/test_calendar.py fails while the snapshot and the
installed package disagree about any covered year.
"""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from objections.domain import calendar  # noqa: E402

TARGET = ROOT / "objections" / "domain" / "kz_calendar_data.py"


def main() -> None:
    years = calendar.SNAPSHOT_YEARS
    lines = [
        '"""Kazakhstan\'s holidays, days off and working weekend days, '
        f"{years.start}–{years.stop - 1}, from holidays=={version('holidays')}.",
        "",
        "Written by scripts/kz_calendar_snapshot.py: do not edit by hand; run the script after upgrading `holidays`.",
        '"""',
        "",
        f'PACKAGE_VERSION = "{version("holidays")}"',
        "",
        "# year -> ((ISO date, en_US name, kk name), ...)",
        "HOLIDAYS: dict[int, tuple[tuple[str, str, str], ...]] = {",
    ]
    for year in years:
        lines.append(f"    {year}: (")
        for day, names in calendar.package_holidays(year).items():
            lines.append(f"        ({day.isoformat()!r}, {names['en']!r}, {names['kk']!r}),")
        lines.append("    ),")
    lines += [
        "}",
        "",
        "# year -> weekend days made working days, ISO dates",
        "WEEKEND_WORKDAYS: dict[int, tuple[str, ...]] = {",
    ]
    for year in years:
        days = ", ".join(repr(day.isoformat()) for day in sorted(calendar.package_weekend_workdays(year)))
        lines.append(f"    {year}: ({days}{',' if days else ''}),")
    lines += ["}", ""]
    TARGET.write_text("\n".join(lines), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "ruff", "format", "--quiet", str(TARGET)], check=True)  # noqa: S603 - our own file
    print(f"wrote {TARGET.relative_to(ROOT)}: {len(years)} years from holidays=={version('holidays')}")


if __name__ == "__main__":
    main()
