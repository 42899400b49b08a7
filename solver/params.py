"""Search parameters (:class:`SolveParams`), validated at construction."""

from __future__ import annotations

from dataclasses import dataclass

from solver.problem import ProblemError

FIRST_SOLUTION_STRATEGIES = (
    "AUTOMATIC",
    "PARALLEL_CHEAPEST_INSERTION",
    "LOCAL_CHEAPEST_INSERTION",
    "SEQUENTIAL_CHEAPEST_INSERTION",
    "PATH_CHEAPEST_ARC",
    "SAVINGS",
    "BEST_INSERTION",
    "ALL_UNPERFORMED",
)
METAHEURISTICS = ("GUIDED_LOCAL_SEARCH", "SIMULATED_ANNEALING", "TABU_SEARCH", "GREEDY_DESCENT")


@dataclass(frozen=True, slots=True)
class SolveParams:
    """How long and how to search.

    Parameters
    ----------
    time_limit_s
        Wall-clock budget of :func:`solver.solve`, seconds (> 0).
    seed
        Seed of every random choice made around OR-Tools; the same seed and problem give the
        same solution whenever the time limit is not what stops the search.
    first_solution
        OR-Tools first-solution strategy used for the plain (non-warm-started) solves.
    metaheuristic
        OR-Tools local-search metaheuristic of each OR-Tools run.
    perturb
        Run the ruin-and-recreate loop around OR-Tools (``False``: one plain OR-Tools run,
        the textbook model, kept as the baseline).
    hub_candidates
        How many night-hub sequences (per group) the hotel search evaluates with OR-Tools.
    max_rounds, solutions_per_run
        Work limits that make a run independent of machine speed: at most ``max_rounds``
        rounds of the perturbation loop, and each OR-Tools run stops after
        ``solutions_per_run`` solutions. With both set and a generous time limit, the same seed
        gives the same plan on any machine. ``None``: only the time limit applies.
    workers
        Searches run side by side, one process each (a portfolio): the caller's process runs
        the search with ``seed``, each other worker a forked process with ``seed + i``, all
        under the same time limit, and the best plan wins. Uses the ``fork`` start method;
        where it is missing, one search runs. 1 (the default) forks nothing.
    early_stop
        Stop before the time limit once the search has converged (the best plan has not
        improved for as long as it took to find it, and at least a few seconds). ``False``
        searches to the limit: for reference runs of the benchmarks.
    worker
        This search's place in a portfolio (0: the first or only search; the portfolio sets
        ``i`` for its ``i``-th forked worker). The application model's search of a later
        worker starts from other night hubs than the first's (the rankings of every travel
        mode at once, the best-ranked hub choices in another order), so that the workers'
        deterministic constructions do not repeat one another.
    """

    time_limit_s: float = 5.0
    seed: int = 0
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    perturb: bool = True
    hub_candidates: int = 6
    max_rounds: int | None = None
    solutions_per_run: int | None = None
    workers: int = 1
    early_stop: bool = True
    worker: int = 0

    def __post_init__(self) -> None:
        if not self.time_limit_s > 0:
            raise ProblemError(f"SolveParams.time_limit_s must be > 0, got {self.time_limit_s}.")
        if self.seed < 0:
            raise ProblemError(f"SolveParams.seed must be >= 0, got {self.seed}.")
        if self.first_solution not in FIRST_SOLUTION_STRATEGIES:
            raise ProblemError(
                f"SolveParams.first_solution {self.first_solution!r} is not one of "
                f"{', '.join(FIRST_SOLUTION_STRATEGIES)}."
            )
        if self.metaheuristic not in METAHEURISTICS:
            raise ProblemError(
                f"SolveParams.metaheuristic {self.metaheuristic!r} is not one of "
                f"{', '.join(METAHEURISTICS)}."
            )
        if self.hub_candidates < 1:
            raise ProblemError("SolveParams.hub_candidates must be >= 1.")
        if self.max_rounds is not None and self.max_rounds < 0:
            raise ProblemError("SolveParams.max_rounds must be >= 0.")
        if self.solutions_per_run is not None and self.solutions_per_run < 1:
            raise ProblemError("SolveParams.solutions_per_run must be >= 1.")
        if not 1 <= self.workers <= 64:
            raise ProblemError(f"SolveParams.workers must be in 1..64, got {self.workers}.")
        if self.worker < 0:
            raise ProblemError(f"SolveParams.worker must be >= 0, got {self.worker}.")
