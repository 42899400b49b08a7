"""What the entry points (web, API, CLI) call: plan and batch jobs, saved itineraries, the
travel model. See docs/architecture.md."""
