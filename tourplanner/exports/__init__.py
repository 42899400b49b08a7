"""Exports of an itinerary: iCalendar, GeoJSON and PDF (Itinerary in, text or bytes out)."""
