"""The JSON API under ``/api/v1``: planning, itineraries, jobs and the shared catalogue, for
agencies authenticated by API key."""
