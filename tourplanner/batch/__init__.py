"""Batch tour products for agencies: many product specs in, one itinerary per product out.

A batch is uploaded as CSV or JSON (:mod:`tourplanner.batch.spec`); each good row becomes a
``batch_product`` job (run in-process or by RQ workers), whose result is saved exactly once
under (batch id, row). :mod:`tourplanner.batch.report` turns a finished batch into summary
tables, exports and the linkage report; :mod:`tourplanner.batch.variants` plans one request
several ways side by side.
"""
