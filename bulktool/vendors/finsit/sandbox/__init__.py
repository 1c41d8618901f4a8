"""The Finsit (Företagsplatsen) API v2 as a sandbox app on the shared kit (``bulktool.sandbox``); see ``app``."""
