"""Imports point one way: web/jobs/cli -> services -> domain, models; domain imports no framework."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "objections"
FRAMEWORKS = ("flask", "flask_", "sqlalchemy", "werkzeug", "wtforms", "apscheduler")


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_domain_imports_no_framework_and_nothing_of_ours_outside_domain() -> None:
    for path in (PACKAGE / "domain").rglob("*.py"):
        for name in imports_of(path):
            assert not name.startswith(FRAMEWORKS), f"{path.name} imports {name}"
            if name.startswith("objections."):
                assert name.startswith("objections.domain"), f"{path.name} imports {name}"


def test_models_and_services_never_import_the_web_or_jobs_layers() -> None:
    for layer in ("models", "services", "domain"):
        for path in (PACKAGE / layer).rglob("*.py"):
            for name in imports_of(path):
                assert not name.startswith(("objections.web", "objections.jobs", "objections.cli")), (
                    f"{layer}/{path.name} imports {name}"
                )


def test_models_import_no_services() -> None:
    for path in (PACKAGE / "models").rglob("*.py"):
        assert not any(n.startswith("objections.services") for n in imports_of(path)), path.name


def test_create_all_is_used_nowhere_in_the_package() -> None:
    for path in PACKAGE.rglob("*.py"):
        assert "create_all(" not in path.read_text(), path
