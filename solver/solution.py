"""The solver's output: routes per group and day, night hubs, dropped places, objective, status.

All times are trip minutes (see :mod:`solver.problem`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Status(Enum):
    """Outcome of a solve.

    ``FEASIBLE``: a validated plan that meets every requirement (must-visits, provinces).
    ``PARTIAL``: a validated plan, but some requirement could not be met; see
    :attr:`Solution.unmet` and :attr:`Solution.dropped`.
    ``INFEASIBLE``: no plan at all (e.g. the trip's end cannot be reached); see
    :attr:`Solution.message`.
    ``INVALID``: the search produced a plan that failed validation. This is a bug; the plan is
    kept for diagnosis but must never be shown as valid.
    """

    FEASIBLE = "feasible"
    PARTIAL = "partial"
    INFEASIBLE = "infeasible"
    INVALID = "invalid"


class DropReason(Enum):
    """Why a place is not in the plan."""

    #: Closed on every day of the trip (no time window inside any day).
    CLOSED = "closed"
    #: Open, but could not be fitted into any day with the rest of the plan.
    CANNOT_FIT = "cannot_fit"
    #: Its ticket alone (or the plan's remaining budget) exceeds the budget.
    OVER_BUDGET = "over_budget"
    #: Its quota has no capacity left on the days it is open.
    QUOTA_FULL = "quota_full"
    #: No leg leads to it or back from it.
    UNREACHABLE = "unreachable"
    #: The request excludes it.
    EXCLUDED = "excluded"
    #: Optional and simply not chosen (the planner shows only requested places).
    NOT_SELECTED = "not_selected"


@dataclass(frozen=True, slots=True)
class Visit:
    """A visit: arrival at the place, start of service (after any wait), departure."""

    place_id: str
    arrive_min: int
    start_min: int
    depart_min: int


@dataclass(frozen=True, slots=True)
class DayRoute:
    """One group's day: leave ``start_node`` at ``depart_min``, make ``visits`` in order and reach
    ``end_node`` at ``return_min``. ``lunch_start_min`` is the start of the lunch break (``None``
    when the day has no lunch, or when it is served on board before leaving); ``lunch_inside``
    names the visit that holds it, if any. ``drive_min`` and ``km`` total the day's legs (their
    shortest travel times of the day, without waits), ``mode`` is the way of travelling used and
    ``money`` the day's travel money for the group (VND, with the mode's day minimum)."""

    group_id: str
    day: int
    start_node: int
    end_node: int
    depart_min: int
    return_min: int
    visits: tuple[Visit, ...]
    lunch_start_min: int | None = None
    drive_min: int = 0
    km: float = 0.0
    mode: str = "default"
    money: float = 0.0
    lunch_inside: str | None = None


@dataclass(frozen=True, slots=True)
class GroupPlan:
    """A group's whole trip: one :class:`DayRoute` per day and the hub id of each night."""

    group_id: str
    days: tuple[DayRoute, ...]
    night_hubs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Dropped:
    """A place left out, with the reason. ``group_id`` is set when ``shared_places`` is off."""

    place_id: str
    reason: DropReason
    group_id: str | None = None


@dataclass(frozen=True, slots=True)
class Objective:
    """Objective parts. ``total = prize + hub_prize - variety_penalty - mode_penalty -
    travel_weight * drive_min - money_weight * (tickets + lodging + travel_cost)`` with the
    problem's weights (higher is better). ``hub_prize`` is the value of the nights (cruises),
    ``variety_penalty`` the diminishing returns of :class:`~solver.problem.VarietyRule`,
    ``mode_penalty`` the days' :attr:`~solver.problem.Mode.day_penalty`."""

    prize: float = 0.0
    drive_min: int = 0
    km: float = 0.0
    travel_cost: float = 0.0
    lodging_cost: int = 0
    ticket_cost: int = 0
    total: float = 0.0
    hub_prize: float = 0.0
    variety_penalty: float = 0.0
    mode_penalty: float = 0.0


@dataclass(frozen=True, slots=True)
class Solution:
    """What :func:`solver.solve` returns.

    Parameters
    ----------
    status
        See :class:`Status`.
    plans
        One :class:`GroupPlan` per group, in the problem's group order (empty if infeasible).
    dropped
        Every place not visited, with its reason (per group if places are not shared).
    objective
        Objective parts recomputed from the problem.
    unmet
        Plain-words requirements not met (must-visit, provinces), empty when FEASIBLE.
    message
        Summary of the outcome, the reason when INFEASIBLE.
    seconds
        Wall-clock time spent.
    """

    status: Status
    plans: tuple[GroupPlan, ...]
    dropped: tuple[Dropped, ...]
    objective: Objective
    unmet: tuple[str, ...] = ()
    message: str = ""
    seconds: float = 0.0

    @property
    def is_valid(self) -> bool:
        """Whether the plan can be shown (FEASIBLE or PARTIAL)."""
        return self.status in (Status.FEASIBLE, Status.PARTIAL)

    def visited(self) -> list[tuple[str, str]]:
        """All ``(group_id, place_id)`` visits in plan order."""
        return [
            (plan.group_id, v.place_id) for plan in self.plans for d in plan.days for v in d.visits
        ]


@dataclass(frozen=True, slots=True)
class Progress:
    """What :func:`solver.solve` reports to ``on_progress`` at each new best plan."""

    seconds: float
    objective: float
    prize: float
    phase: str
