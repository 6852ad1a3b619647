"""Hooks a higher app fills to react to expert proposals (experts never imports it).

- :data:`ON_REFERRED`: ``func(proposal, now)`` runs inside the transaction that refers an
  unresolved proposal to the participating States Parties (ToR rule 8); the agenda adds
  the item for the procedural decision.
"""

from collections.abc import Callable

ON_REFERRED: list[Callable] = []


def on_referred(func):
    if func not in ON_REFERRED:
        ON_REFERRED.append(func)
    return func
