"""Run every bench/bench_*.py module's `run()` and print its figures; `python -m bench NAME` runs one."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path


def main() -> None:
    names = sys.argv[1:] or sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    results = {}
    for name in names:
        module = importlib.import_module(f"bench.{name if name.startswith('bench_') else 'bench_' + name}")
        print(f"== {module.__name__}: {(module.__doc__ or '').strip()}", flush=True)
        results[name] = module.run()
        print(json.dumps(results[name], indent=2, default=str), flush=True)
    if not names:
        print("no benchmarks")


if __name__ == "__main__":
    main()
