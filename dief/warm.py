"""What a web process builds once, before it serves: ``warm()`` is called by gunicorn's master
(``gunicorn.conf.py``, ``when_ready``) after the application is loaded and before any worker
is forked, so every worker, and every one that replaces another after ``max_requests``,
starts with it in memory instead of building it on its first requests. No database
connection is opened (none may be shared across the fork)."""

from pathlib import Path

from django.conf import settings
from django.template import engines
from django.template.utils import get_app_template_dirs
from django.urls import get_resolver
from django.utils import translation


def template_names() -> list[str]:
    """Every template file the Django engine can find (project and apps' template folders)."""
    engine = engines["django"].engine
    names = set()
    for folder in [*engine.dirs, *get_app_template_dirs("templates")]:
        for path in Path(folder).rglob("*"):
            if path.is_file() and not path.name.startswith("."):
                names.add(path.relative_to(folder).as_posix())
    return sorted(names)


def warm() -> None:
    """Build the URL resolver, the translation catalogues, the State names of each language
    and every template (compiled into the cached template loader)."""
    from states.names import name_for_code

    get_resolver().reverse_dict  # noqa: B018 - the attribute access populates the resolver
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Meetings")
            name_for_code("CHE", code, "Switzerland")
    engine = engines["django"].engine
    for name in template_names():
        try:
            engine.get_template(name)
        except Exception:  # noqa: BLE001 - a file that is not a template (e.g. an image) stays unbuilt
            continue
