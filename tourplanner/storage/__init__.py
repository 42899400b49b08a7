"""The database: engine, sessions and migrations (:mod:`.db`) and every table of the app."""
