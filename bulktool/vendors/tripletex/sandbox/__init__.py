"""The Tripletex API v2 as a sandbox app on the shared kit (``bulktool.sandbox``).

Modules: ``app`` (the SandboxApp: session path, auth, envelopes, headers, banner), ``session``
(session tokens, Basic auth, companies), ``routes`` (every path and verb of the trimmed spec),
``listing`` (search, sorting, paging, checksum), ``render`` (``fields``), ``writes`` and ``rules``
(partial PUT, bulk all-or-nothing, business rules), ``validate`` (bodies against the spec),
``edit`` (the "another user" controls), ``seed``/``seed_reference`` (Norwegian data), ``model``
(resources read from ``spec/openapi-trimmed.json``), ``errors`` (the error envelope).
"""
