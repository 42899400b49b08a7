"""Batch tour products for agencies: many product specs in, one itinerary per product out.

A batch is uploaded as CSV or JSON (:mod:`.spec`); each good row becomes a ``batch_product``
job (run in-process or by RQ workers), whose result is saved exactly once under (batch id, row).
:mod:`.report` turns a finished batch into summary tables, exports and the linkage report;
:mod:`.variants` plans one request several ways side by side. The agency pages are
:mod:`tourplanner.web.batch_views`, the commands :mod:`tourplanner.cli.batch`.
"""
