"""The Finsit (Företagsplatsen) API v2 as a sandbox app on the shared kit (``bulktool.sandbox``).

Modules: ``app`` (the SandboxApp: pipeline hooks, answers, fault rolls), ``routes`` (every path and
verb), ``auth`` (Basic ISO-8859-1, OAuth 1.0a), ``reads``, ``writes``/``writes_users``, ``rules``
(412s), ``validate`` (strict bodies, partial merge), ``fsjson`` (NaN/Infinity tokens, exact
decimals), ``data`` (string ids on the kit's store), ``call`` (the per-request view), ``model``
(fields from the fact sheet), ``seed``/``seed_people`` (Swedish data, credentials), ``controls``
(/_sandbox/ edit, delete, records, puts, finsit switches), ``banner``, ``errors`` (the error object,
proxy pages).
"""
