"""dief.warm: gunicorn's master builds every template before it forks the workers."""

from django.template import engines

from dief.warm import template_names, warm


def test_warming_compiles_every_template_into_the_cached_loader_without_the_database():
    # no django_db mark: a query would fail the test (nothing may be shared across the fork)
    loader = engines["django"].engine.template_loaders[0]
    loader.reset()
    warm()
    names = template_names()
    assert {"base.html", "agendas/released_items.html", "_pagination.html"} <= set(names)
    assert {"base.html", "agendas/released_items.html", "_pagination.html"} <= set(loader.get_template_cache)
