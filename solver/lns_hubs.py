"""Initial night hubs for the LNS: a beam search over nights with a cheap day estimate.

Extending a group's hub sequence by the hub ``b`` of night ``n`` (from the previous hub ``a``)
adds an estimate of what the day ``a -> b`` can collect: candidates open that day, allowed to
the group, not counted by an earlier day of the sequence, whose single detour fits the day
(lower-bound travel of the fastest mode), inserted greedily where they add the fewest minutes
to the day's path, best value per added minute first, until the day's free time (and the
drive cap: a day whose direct leg exceeds it is no day at all) is used, less the money of the
cheapest mode's direct leg; plus the night's own value (a cruise) minus its weighted lodging,
and a large bonus for must-visits and ``must_any`` members (a requirement's place only where
the day's real timings let it in; a ``must_any`` set once per sequence, by a day or a night;
a night's family keeps that family's places out of the trip). With a budget, a sequence carries
what it spends and a day buys tickets only with what the nights still to come leave. With
shared places, the groups' sequences are chosen one group after another. The LNS moves hubs
afterwards; this only has to start it somewhere sensible, fast.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from solver.appmodel import AppModel
from solver.appmodel import HubChoice
from solver.daymodel import INF

#: sequences kept per night
BEAM = 8
#: with shared places: hub choices built group after group, from the first group's best few
SHARED_STARTS = 6
#: ... and the beam width of the later groups there
SHARED_BEAM = 4


def _fastest(m: AppModel, d: int, modes: tuple[int, ...] | None) -> tuple[np.ndarray, np.ndarray]:
    """Day ``d``'s lower-bound minutes over ``modes`` (all: ``None``), as ints and floats."""
    mode_ids = modes if modes is not None else tuple(range(m.n_modes))
    tmin = np.minimum.reduce([m.lookups[d][i].tmin for i in mode_ids])
    return tmin, tmin.astype(np.float64)


class _DayStatic(NamedTuple):
    """What a day ``start -> end`` offers before any place is taken: the least fare, the free
    and drive minutes beyond the direct leg, and the group's places open that day whose single
    detour fits (their nodes, visit minutes and values)."""

    fare: float
    fare_vnd: float
    start: int
    end: int
    budget: float
    drive_budget: float
    places: np.ndarray
    nodes: np.ndarray
    svc: np.ndarray
    value: np.ndarray
    cost: np.ndarray
    place_set: frozenset[int]
    all_tickets: float


def _day_static(m: AppModel, g: int, d: int, start, end, modes: tuple[int, ...] | None,
                fastest: tuple[np.ndarray, np.ndarray]) -> _DayStatic | None:  # fmt: skip
    """The day's :class:`_DayStatic`, ``None`` when the day cannot be travelled at all."""
    ends = m.terminals(d, start, end)
    mode_ids = modes if modes is not None else tuple(range(m.n_modes))
    tmin, _ = fastest
    direct = int(tmin[ends.start, ends.end])
    # what the day's travel costs at least: the cheapest mode's direct leg (with its day
    # minimum and penalty), where that mode can make the leg; in VND and weighted
    legs = [
        (max(float(m.money[d][i][ends.start, ends.end]), float(m.modes[i].day_minimum)),
         m.modes[i].day_penalty)
        for i in mode_ids
        if m.lookups[d][i].tmin[ends.start, ends.end] < INF
    ]  # fmt: skip
    fare = min((m.problem.money_weight * vnd + pen for vnd, pen in legs), default=0.0)
    fare_vnd = min((vnd for vnd, _ in legs), default=0.0)
    lunch = m.days[d].lunch
    free = ends.deadline - ends.ready - (lunch[2] if lunch else 0)
    # the drive cap binds the estimate too (the day's drive is its legs' minutes): a night
    # the cap cannot reach is no night, or the beam keeps sequences no route can follow
    cap = m.problem.max_drive_min_per_day
    if direct >= INF or direct > free or (cap is not None and direct > cap):
        return None
    places = m.group_places(g)
    if len(places):
        places = places[m.days[d].open_mask[places]]
    nodes = m.node[places]
    svc = m.days[d].svc[places]
    via = tmin[ends.start, nodes] + tmin[nodes, ends.end]
    fits = via + svc <= free
    if cap is not None:
        fits &= via <= cap
    places, nodes, svc = places[fits], nodes[fits], svc[fits]
    named = np.nonzero(m.named_mask[places])[0]
    if len(named):
        # a requirement's bonus dwarfs the rest: its places are checked against the day's
        # real timings (a ferry's timetable, a window), not only the lower-bound minutes,
        # or the beam sleeps where the island looks a day trip away and is not
        model = m.days[d]
        keep = np.ones(len(places), dtype=bool)
        for j in named:
            i, x = int(places[j]), int(nodes[j])
            keep[j] = any(model.timing(m.lookups[d][k], ends, [i], [x], backward=False).feasible
                          for k in mode_ids)  # fmt: skip
        places, nodes, svc = places[keep], nodes[keep], svc[keep]
    bonus = np.where(m.named_mask[places], m.req_weight * 0.01, 0.0)
    value = m.prize[places] - m.problem.money_weight * m.cost[places] + bonus
    drive_budget = float(cap - direct) if cap is not None else float("inf")
    cost = m.cost[places].astype(np.float64)
    return _DayStatic(fare, fare_vnd, ends.start, ends.end, float(free - direct), drive_budget,
                      places, nodes, svc, value, cost, frozenset(places.tolist()),
                      float(cost.sum()))  # fmt: skip


def _day_estimate(m: AppModel, g: int, d: int, start, end, used: frozenset[int],
                  modes: tuple[int, ...] | None, fastest: tuple[np.ndarray, np.ndarray],
                  static: dict, room: float) -> tuple[float, frozenset[int], float]:  # fmt: skip
    """(estimate, places taken so far, money) of the day ``start -> end`` after the places
    ``used`` by earlier days (see the module docstring), spending at most ``room`` VND on the
    day's least fare and its tickets (``money``: what it spends); ``static`` memoises each
    day's fixed parts and its estimates (one dict per group's places and mode set)."""
    key = (d, id(start), id(end))
    day = static.get(key)
    if day is None:
        day = static[key] = _day_static(m, g, d, start, end, modes, fastest) or False
    if not day or day.fare_vnd > room + 1e-6:
        return -1e18, used, 0.0
    if not len(day.places):
        return -day.fare, used, day.fare_vnd
    # the estimate depends on ``used`` only through the day's own places, and on ``room``
    # only where it cannot buy every ticket: sequences that differ elsewhere share it
    seen = used & day.place_set
    limit = room if room < day.fare_vnd + day.all_tickets - 1e-6 else None
    memo_key = (key, seen, limit)
    hit = static.get(memo_key)
    if hit is not None:
        total, new, money = hit
        return total, used | new, money
    total, new, money = _fill_day(m, day, seen, fastest, room)
    static[memo_key] = (total, new, money)
    return total, used | new, money


def _fill_day(m: AppModel, day: _DayStatic, used: frozenset[int],
              fastest: tuple[np.ndarray, np.ndarray], room: float,
              ) -> tuple[float, frozenset[int], float]:  # fmt: skip
    """The greedy fill of :func:`_day_estimate`: (estimate, places it takes, money)."""
    places, nodes, svc, value, cost = day.places, day.nodes, day.svc, day.value, day.cost
    if used:
        taken_mask = np.zeros(len(m.prize), dtype=bool)
        taken_mask[list(used)] = True
        keep = ~taken_mask[places]
        places, nodes, svc, value, cost = (places[keep], nodes[keep], svc[keep], value[keep],
                                           cost[keep])  # fmt: skip
        if not len(places):
            return -day.fare, frozenset(), day.fare_vnd
    tickets = room - day.fare_vnd  # VND left for the day's tickets
    bought = 0.0
    tm = fastest[1]
    # cheapest insertion on the day's path (static lower-bound minutes), best value per
    # added minute first, until the free time is used: detours in different directions do
    # not add up as if each were the only one
    path = [day.start, day.end]
    budget = day.budget
    drive_budget = day.drive_budget
    total = 0.0
    taken: set[int] = set()
    alive = value > 0

    def detour(a: int, b: int) -> np.ndarray:
        return tm[a, nodes] + tm[nodes, b] - tm[a, b]

    # each leg's detour minutes for every candidate, one row per leg of the path; an
    # insertion replaces its leg's row by the two new legs' rows
    legs = [detour(day.start, day.end)]
    cols = np.arange(len(nodes))
    while alive.any():
        extra = np.vstack(legs) if len(legs) > 1 else legs[0][None, :]
        pos = np.argmin(extra, axis=0)
        driven = extra[pos, cols]
        added = driven + svc
        ok = alive & (added <= budget) & (driven <= drive_budget) & (cost <= tickets + 1e-6)
        if not ok.any():
            break
        ratio = np.where(ok, value / np.maximum(added, 1.0), -np.inf)
        j = int(np.argmax(ratio))
        budget -= float(added[j])
        drive_budget -= float(driven[j])
        total += float(value[j])
        tickets -= float(cost[j])
        bought += float(cost[j])
        taken.add(int(places[j]))
        i, x = int(pos[j]), int(nodes[j])
        a, b = path[i], path[i + 1]
        path.insert(i + 1, x)
        legs[i : i + 1] = [detour(a, x), detour(x, b)]
        alive[j] = False
    return total - day.fare, frozenset(taken), day.fare_vnd + bought


def rank_choices(m: AppModel, count: int, per_mode: bool = True, memo: dict | None = None,
                 width: int = BEAM) -> list[HubChoice]:  # fmt: skip
    """Up to ``count`` hub choices (one sequence per group), best estimate first: ranked with
    the fastest mode of each leg, and with several modes (``per_mode``) also by each mode alone
    (the nights that suit a hired car are not those that suit the coach lines), interleaved.

    ``width`` sequences are kept per night (a narrow beam gives a first plan early on a big
    trip); ``memo`` (a dict kept by the caller) carries the day estimates from one ranking
    of the model to the next."""
    mode_sets: list[tuple[int, ...] | None] = [None]
    if m.n_modes > 1 and per_mode:
        mode_sets += [(i,) for i in range(m.n_modes)]
    memo = {} if memo is None else memo
    ranked = [_rank(m, count, modes, memo.setdefault(modes, {}), width) for modes in mode_sets]
    out: list[HubChoice] = []
    for i in range(max(len(r) for r in ranked)):
        for r in ranked:
            if i < len(r) and r[i] not in out:
                out.append(r[i])
    return out


def _beam(m: AppModel, g: int, modes: tuple[int, ...] | None, fastest: list, static: dict,
          used0: frozenset[int], width: int = BEAM,
          ) -> list[tuple[float, tuple[int, ...], frozenset[int]]]:  # fmt: skip
    """Group ``g``'s hub sequences as ``(estimate, sequence, places taken)``, best first,
    with the places ``used0`` already taken (by other groups' sequences), ``width`` kept
    per night. With a budget, a sequence carries what it spends (lodging, each day's least
    fare, the tickets its days take) and each day may spend only what leaves the cheapest
    lodging of the nights still to come: a cruise that eats the budget leaves its days
    empty in the estimate as it does in the plan."""
    p = m.problem
    n_nights = len(p.nights)
    budget = float(p.budget) if p.budget is not None else math.inf
    # the least lodging of nights n, n+1, ... (what a sequence must still pay at least)
    reserve = [0.0] * (n_nights + 1)
    for n in range(n_nights - 1, -1, -1):
        reserve[n] = reserve[n + 1] + min(float(h.lodging_cost) for h in p.nights[n])
    beam: list[tuple[float, tuple[int, ...], frozenset[int], float]] = [(0.0, (), used0, 0.0)]
    for n in range(n_nights):
        out = []
        for score, seq, used, spent in beam:
            start = None if n == 0 else p.nights[n - 1][seq[-1]]
            for h, hub in enumerate(p.nights[n]):
                room = budget - spent - hub.lodging_cost - reserve[n + 1]
                if room < -1e-6:
                    continue
                # a night's family (a bay's cruise) keeps its places (that bay's day trips)
                # out of the group's whole trip, as in the plan
                family = m.family_places[hub.family] if hub.family else None
                if family and family & (used - used0):
                    continue  # an earlier day of this group took one of its places
                est, taken, money = _day_estimate(m, g, n, start, hub,
                                                  used | family if family else used, modes,
                                                  fastest[n], static, room)  # fmt: skip
                if est <= -1e17:
                    continue
                collected = taken - family if family else taken
                night = -p.money_weight * hub.lodging_cost
                if all(p.nights[k][seq[k]].id != hub.id for k in range(n)):
                    night += hub.prize  # a night's value once per trip
                for places, hubs in zip(m.any_places, m.any_hubs, strict=True):
                    # a must_any set served by this night, once per sequence: not if a day
                    # took one of its places, and no later day counts them again (a Lan Hạ
                    # cruise and a Lan Hạ day trip serve one requirement)
                    if hub.id in hubs and not places & collected:
                        night += m.req_weight * 0.01
                        taken = taken | places
                out.append((score + est + night, (*seq, h), taken,
                            spent + hub.lodging_cost + money))  # fmt: skip
        out.sort(key=lambda t: -t[0])
        beam = out[:width] if out else []
        if not beam:
            break
    finals = []
    for score, seq, used, spent in beam:
        start = p.nights[-1][seq[-1]] if n_nights else None
        est, taken, _ = _day_estimate(m, g, m.n_days - 1, start, None, used, modes,
                                      fastest[-1], static, budget - spent)  # fmt: skip
        if est > -1e17:
            finals.append((score + est, seq, taken))
    finals.sort(key=lambda t: -t[0])
    return finals


def _rank(m: AppModel, count: int, modes: tuple[int, ...] | None, memo: dict,
          width: int) -> list[HubChoice]:  # fmt: skip
    p = m.problem
    n_nights = len(p.nights)
    if "fastest" not in memo:
        memo["fastest"] = [_fastest(m, d, modes) for d in range(m.n_days)]
    fastest = memo["fastest"]
    # the estimate sees a group only through its places: groups open to the same places (the
    # groups of one request) share one beam search and its memo of days
    statics: dict[bytes, dict] = memo.setdefault("days", {})
    searched: dict[bytes, list[tuple[int, ...]]] = {}
    empty = tuple(0 for _ in range(n_nights))
    per_group: list[list[tuple[int, ...]]] = []
    first: list[tuple[float, tuple[int, ...], frozenset[int]]] = []
    for g in range(m.n_groups):
        key = m.group_places(g).tobytes()
        if key not in searched:
            finals = _beam(m, g, modes, fastest, statics.setdefault(key, {}), frozenset(),
                           width)  # fmt: skip
            searched[key] = [s for _, s, _ in finals] or [empty]
            if g == 0:
                first = finals
        per_group.append(searched[key])
    out: list[HubChoice] = []
    if p.shared_places and m.n_groups > 1:
        # a place counts for one group only: each group's nights are chosen after the places
        # the earlier groups' nights take, so that the groups spread out instead of all
        # sleeping where the first one collects (each of the first group's best few, the
        # later groups with a narrower beam; every group on the same nights wastes them: the
        # 3-day 2-group trip went 91 -> 97 % with 6 starts instead of 2; the quick first
        # ranking, one start, keeps a first plan of 10 days x 3 groups < 1 s)
        starts = SHARED_STARTS if width >= BEAM else 1
        for _, seq0, used in first[:starts]:
            choice = [seq0]
            for g in range(1, m.n_groups):
                static = statics.setdefault(m.group_places(g).tobytes(), {})
                finals = _beam(m, g, modes, fastest, static, used, min(SHARED_BEAM, width))
                if finals:
                    choice.append(finals[0][1])
                    used = finals[0][2]
                else:
                    choice.append(per_group[g][0])
            if tuple(choice) not in out:
                out.append(tuple(choice))
    for i in range(count):
        choice = tuple(seqs[min(i, len(seqs) - 1)] for seqs in per_group)
        if len(out) >= count:
            break
        if choice not in out:
            out.append(choice)
    if "fallback" not in memo:
        memo["fallback"] = feasible_sequence(m)
    fallback = memo["fallback"]
    if fallback is not None:
        choice = tuple(fallback for _ in range(m.n_groups))
        if choice not in out:
            out.append(choice)
    return out


def feasible_sequence(m: AppModel) -> tuple[int, ...] | None:
    """A hub sequence whose empty days can all be travelled (a DP over nights), or ``None``."""
    p = m.problem
    n_nights = len(p.nights)
    if n_nights == 0:
        return ()

    def ok(d: int, start, end) -> bool:
        return m.route_eval(m.terminals(d, start, end), d, []).ok

    reach: list[dict[int, int]] = []  # per night: hub index -> previous hub index
    first = {h: -1 for h, hub in enumerate(p.nights[0]) if ok(0, None, hub)}
    reach.append(first)
    for n in range(1, n_nights):
        cur: dict[int, int] = {}
        for h, hub in enumerate(p.nights[n]):
            for prev in reach[-1]:
                if ok(n, p.nights[n - 1][prev], hub):
                    cur[h] = prev
                    break
        reach.append(cur)
    last = [h for h in reach[-1] if ok(m.n_days - 1, p.nights[-1][h], None)]
    if not last:
        return None
    seq = [last[0]]
    for n in range(n_nights - 1, 0, -1):
        seq.append(reach[n][seq[-1]])
    return tuple(reversed(seq))
