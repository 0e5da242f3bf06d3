"""How a split indicator computation shares out the hamlets: whole communes to a part when
there are at least as many communes as parts (a province), otherwise hamlets (one commune),
each to the part with the fewest households so far, biggest first, so parts finish together.

Any split gives the same figures (`analytics.pipeline.results_combine`); this only decides how
evenly the work is spread."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence


def hamlet_parts(hamlets: Sequence[tuple[str, object, float]], count: int) -> list[list[str]]:
    """`hamlets`: (code, commune, registered households). `count` parts, each a sorted list of
    hamlet codes; a part may be empty when there are fewer hamlets than parts."""
    if count < 1:
        raise ValueError("a computation has at least one part")
    communes: dict[object, list[str]] = defaultdict(list)
    weight: dict[object, float] = defaultdict(float)
    for code, commune, registered in hamlets:
        communes[commune].append(code)
        weight[commune] += max(float(registered or 0), 1.0)
    if len(communes) >= count:
        pieces = [(weight[c], sorted(codes)) for c, codes in communes.items()]
    else:
        pieces = [(max(float(r or 0), 1.0), [code]) for code, _commune, r in hamlets]
    parts: list[list[str]] = [[] for _ in range(count)]
    load = [0.0] * count
    for piece_weight, codes in sorted(pieces, key=lambda p: (-p[0], p[1])):
        lightest = min(range(count), key=lambda k: (load[k], k))
        parts[lightest].extend(codes)
        load[lightest] += piece_weight
    return [sorted(p) for p in parts]
