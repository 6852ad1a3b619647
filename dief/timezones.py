"""The time zones a user may choose: canonical IANA names only.

The IANA database keeps old names as links for backward compatibility (``Asia/Calcutta`` for
``Asia/Kolkata``, ``US/Eastern``...). A choice list offers the zones the database defines
(its ``Zone`` entries) and the per-country names of its ``zone.tab`` (e.g. ``Europe/Oslo``,
``Africa/Dakar``), never an alias. Stored values are still validated against every name the
database knows, so nothing saved earlier becomes invalid.
"""

import functools
from importlib import resources


def _lines(name: str) -> list[str]:
    return resources.files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8").splitlines()


@functools.cache
def offered_time_zones() -> tuple[str, ...]:
    """The sorted canonical IANA zone names with a region ("Europe/Zurich"), without ``Etc/``
    zones and without backward-compatibility links. Read from the pinned ``tzdata`` package."""
    zones = {line.split()[1] for line in _lines("tzdata.zi") if line.startswith("Z ")}
    zones |= {line.split("\t")[2] for line in _lines("zone.tab") if line and not line.startswith("#")}
    return tuple(sorted(z for z in zones if "/" in z and not z.startswith("Etc/")))


def time_zone_choices() -> list[tuple[str, str]]:
    """``(value, label)`` pairs of :func:`offered_time_zones` for a form's choice field."""
    return [(z, z) for z in offered_time_zones()]


@functools.cache
def _links() -> dict[str, str]:
    """Backward-compatibility link name -> the zone it points to (``tzdata.zi`` "L" lines)."""
    return {line.split()[2]: line.split()[1] for line in _lines("tzdata.zi") if line.startswith("L ")}


def canonical_time_zone(name: str) -> str:
    """The offered name for IANA zone ``name``: itself if offered, else the zone a link points
    to (``Asia/Calcutta`` -> ``Asia/Kolkata``), else ``name`` unchanged."""
    offered = set(offered_time_zones())
    seen = set()
    while name not in offered and name in _links() and name not in seen:
        seen.add(name)
        name = _links()[name]
    return name
