"""Migrations: files from other systems (foreign headers, encodings, Nordic number and date forms) mapped
onto an endpoint template, then imported through the same plan, journal and writer as a round trip.

Data flow: ``readers`` (bytes -> RawTable) -> ``mapping`` (RawTable + mapping file -> the template's
columns, one ReadSheet per target) -> ``plan.lookups`` (human values -> ids) -> ``run`` (creates in
dependency order, parents first).
"""
