"""The regional travel network: legs with timetables, matrices for the solver, scenarios."""
