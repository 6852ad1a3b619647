"""Imports point one way (docs/design.md, "Layers"; the table is dief/layers.py)."""

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

from dief.layers import EXEMPT, LAYERS, layer_index, layer_of

ROOT = Path(settings.BASE_DIR)


def imported_modules(source: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    """Every module ``source`` imports, anywhere (function-local imports included), as
    ``(line, dotted name)``; ``from x import y`` gives ``x.y`` so that ``from dief import clock``
    is placed as ``dief.clock``. Relative imports are resolved against ``module``."""
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                anchor = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{anchor}.{base}" if base else anchor
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def upward_imports(source: str, module: str, is_package: bool = False) -> list[str]:
    """The imports of ``source`` (the code of ``module``) that point to a higher layer."""
    index = layer_index()
    own = layer_of(module, index)
    assert own is not None, f"{module} is in no layer of dief/layers.py: add it"
    return [
        f"{module}:{line} imports {target} ({LAYERS[layer_of(target, index)][0]} above {LAYERS[own][0]})"
        for line, target in imported_modules(source, module, is_package)
        if (layer_of(target, index) or 0) > own
    ]


def project_apps() -> list[str]:
    return sorted(
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(ROOT.resolve())
        and "site-packages" not in Path(config.path).resolve().parts  # a venv inside the project
    )


def checked_files(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        relative = path.relative_to(ROOT)
        if any(part in EXEMPT for part in relative.parts):
            continue
        dotted = ".".join(relative.with_suffix("").parts)
        is_package = path.name == "__init__.py"
        yield (dotted.removesuffix(".__init__") if is_package else dotted), is_package, path


def test_every_app_of_the_project_has_a_layer():
    index = layer_index()
    assert [app for app in project_apps() if layer_of(app, index) is None] == []


def test_no_app_imports_a_higher_layer():
    problems = []
    for app in project_apps():
        for module, is_package, path in checked_files(app):
            problems += upward_imports(path.read_text(), module, is_package)
    assert problems == []


def test_a_function_local_upward_import_is_found():
    source = "def adopted(meeting):\n    from agendas.models import Agenda\n    return Agenda\n"
    assert upward_imports(source, "meetings.queries") == [
        "meetings.queries:2 imports agendas.models.Agenda (agenda above meetings)"
    ]


def test_relative_and_package_imports_are_placed_by_the_longest_entry():
    assert upward_imports("from . import services\n", "agendas.views") == []
    assert upward_imports("from dief import clock\n", "accounts.middleware") == []
    assert upward_imports("from dief import views\n", "accounts.middleware") != []
    assert upward_imports("from ..services import x\n", "presentations.management.commands", True) == []
    assert upward_imports("import agendas.services\n", "presentations.services") != []


def test_lower_layers_may_be_imported():
    assert upward_imports("from meetings.models import Meeting\n", "agendas.models") == []
