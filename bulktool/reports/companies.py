"""Counts per company for a sheet of many companies: every report shows the same lines."""

from __future__ import annotations

from ..plan.model import ImportResult, PlanSummary

ACTIONS = ("create", "update", "delete", "unchanged", "conflict", "invalid")


def company_line(company: str, name: str, s: PlanSummary, applied: bool) -> str:
    """'company 12 (Acme AS): create 1, update 1, unchanged 58' (zeros left out), plus applied/failed."""
    counts = s.to_json()
    parts = [f"{a} {counts[a]:,}" for a in ACTIONS if counts[a]] or ["no rows"]
    if applied or counts["failed"]:
        parts.append(f"applied {counts['applied']:,}, failed {counts['failed']:,}")
    label = f"company {company}" + (f" ({name})" if name else "")
    return f"{label}: {', '.join(parts)}"


def company_lines(result: ImportResult) -> list[str]:
    """One line per company in the order they were run; none for a sheet of one company."""
    return [company_line(c, result.companies.get(c, ""), s, result.applied)
            for c, s in result.company_summaries().items()]
