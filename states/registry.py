"""Where apps above ``states`` react to a change of the list of States, without ``states``
importing them (imports point one way, see docs/design.md).

``meetings`` registers the re-synchronisation of meeting access (ToR rules 5, 6) in its
AppConfig.ready; the admin and the ``import_states`` command call :func:`states_changed`.
"""

from collections.abc import Callable

ON_STATES_CHANGED: list[Callable[[], None]] = []


def on_states_changed(func: Callable[[], None]) -> Callable[[], None]:
    """Register ``func()`` to run after States are created or their status changes."""
    if func not in ON_STATES_CHANGED:
        ON_STATES_CHANGED.append(func)
    return func


def states_changed() -> None:
    """Run every registered reaction (e.g. the meeting access of eligible States)."""
    for func in ON_STATES_CHANGED:
        func()
