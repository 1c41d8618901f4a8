"""Propose a mapping for a foreign file: which column feeds which template field, and how sure that is.

A header is compared with each writable field's name and its concept's synonyms (``synonyms.py``),
exactly after folding case, accents and punctuation, then fuzzily (rapidfuzz). The cells then raise
or lower that: a "Nummer" column full of phone numbers is a phone, not a customer number. Fields and
columns are paired best-first, each at most once, so the file reads as one consistent proposal the
user edits rather than a list of guesses to reconcile.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache

from rapidfuzz import fuzz

from ..plan.matching import text_form
from ..schema.lookup_check import by_parts
from ..schema.model import Column, Endpoint
from .cellkinds import DATE_FORMATS, DISTINCT, FIRST_OF_MULTI, KIND_WORDS, MULTI, date_formats, enum_map, value_kind
from .rawtable import RawCell, RawTable
from .synonyms import ADDRESS_WORDS, CONCEPT_KINDS, FIELD_CONCEPTS, SYNONYMS, VALUE_SYNONYMS

CONFIDENT = 0.6  # below this a suggestion is written commented out
_FLOOR = 0.3  # below this it is not a suggestion at all


@dataclass(frozen=True)
class FieldSuggestion:
    field: str  # a template column, or a lookup column (``responsible``) for a reference
    source: str  # the file's column (the first one of a join)
    confidence: float  # 0..1
    reason: str  # "header 'E-post' ~ email (synonym)"
    part: str | None = None  # "first" | "last": one half of a full-name column
    join: tuple[str, ...] = ()  # several columns concatenated with spaces (first, middle, last name)
    values: tuple[tuple[str, str], ...] = ()  # a value map onto an enum field ("Företag" -> "company")
    pattern: str | None = None  # a regex whose group 1 is the value (the first of " ::: "-joined ones)


@dataclass
class Suggestion:
    endpoint: str
    system: str
    fields: list[FieldSuggestion]
    unmapped: list[str]  # the file's columns nothing was suggested for
    missing: list[str] = field(default_factory=list)  # required fields no confident suggestion fills
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)  # missing field -> its allowed values
    encoding: str | None = None
    separator: str | None = None
    date_formats: list[str] = field(default_factory=list)  # the forms the mapped date columns all read in
    date_columns: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Target:
    field: str
    column: Column
    concept: str | None
    leaf: str
    prefix: str | None  # the address group ("deliveryAddress") of an address field


def fold(text: object) -> str:
    """Header text compared loosely: camelCase split, case and accents folded, punctuation to spaces."""
    return _fold(str(text))


@lru_cache(maxsize=4096)  # every synonym is folded once per pairing otherwise
def _fold(text: str) -> str:
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)
    t = (text_form(spaced) or "").replace("ø", "o").replace("æ", "ae").replace("ß", "ss")
    t = "".join(ch for ch in unicodedata.normalize("NFKD", t) if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", t).strip()


def _targets(ep: Endpoint) -> list[_Target]:
    out: list[_Target] = []
    for c in ep.columns:
        if not c.writable or c.type == "json":
            continue
        name = c.lookup.column if c.lookup else c.name
        parts = name.split(".")
        leaf = parts[-2] if parts[-1] == "id" and len(parts) > 1 else parts[-1]
        leaf = re.sub(r"(?<=[a-z])Id$", "", leaf)
        prefix = parts[0] if len(parts) > 1 and (parts[0] in ADDRESS_WORDS or parts[0] == "address") else None
        out.append(_Target(name, c, FIELD_CONCEPTS.get(leaf), leaf, prefix))
    return out


def _names(t: _Target) -> tuple[set[str], list[str]]:
    """The field's own names (an exact match is certain) and its concept's synonyms, folded."""
    own = {fold(t.field), fold(t.leaf), fold(t.column.name)}
    return own, [fold(s) for s in SYNONYMS.get(t.concept or "", ())]


def _name_score(header: str, own: set[str], synonyms: list[str]) -> tuple[float, str]:
    squash = header.replace(" ", "")
    if header in own or squash in {o.replace(" ", "") for o in own}:
        return 1.0, "field name"
    if any(squash == s.replace(" ", "") for s in synonyms):
        return 0.95, "synonym"
    best, how = 0.0, ""
    tokens, digits = f" {header} ", _DIGITS.findall(header)
    for s in [*own, *synonyms]:
        if not s:
            continue
        r = max(fuzz.ratio(header, s), fuzz.token_sort_ratio(header, s)) / 100
        # "land" is not "lan", nor "Street 3" "Street 2": short words and numbered columns match exactly only
        if r >= 0.8 and 0.9 * r > best and min(len(header), len(s)) >= 5 and digits == _DIGITS.findall(s):
            best, how = 0.9 * r, f"fuzzy {r:.2f}"
        if len(s) >= 5 and s not in _GENERIC and f" {s} " in tokens and best < 0.72:
            best, how = 0.72, f"contains '{s}'"
    return best, how


_DIGITS = re.compile(r"\d+")
_GENERIC = frozenset({"number", "nummer", "name", "title", "value", "state", "status", "adress", "address"})


def _header_score(header: str, t: _Target, primary: str | None, groups_here: set[str]) -> tuple[float, str]:
    own, synonyms = _names(t)
    score, how = _name_score(header, own, synonyms)
    if t.prefix is None:
        return score, how
    words = ADDRESS_WORDS.get(t.prefix, ())
    groups = [p for p in groups_here if any(_starts(header, w) for w in ADDRESS_WORDS.get(p, ()))]
    if t.prefix not in groups:
        factor = 1.0 if t.prefix == primary and not groups else 0.6 if not groups else 0.5
        return score * factor, how
    rest = " ".join(t for t in (tok[len(next((w for w in words if tok.startswith(w)), "")):]
                                for tok in header.split()) if t)  # "leveransadress ort" -> "adress ort"
    rest_score, rest_how = _name_score(rest, own, synonyms) if rest else (0.0, "")
    return (rest_score, rest_how) if rest_score >= score else (score, how)


def _starts(header: str, word: str) -> bool:
    return any(tok.startswith(word) for tok in header.split())


def _content(score: float, how: str, t: _Target, kind: str | None) -> tuple[float, str]:
    """Raise a header match whose cells look right, lower one whose cells look like something else."""
    expected = CONCEPT_KINDS.get(t.concept or "")
    if t.column.lookup and kind in DISTINCT:  # "Contact owner" full of emails: a lookup by email
        by = {CONCEPT_KINDS.get(FIELD_CONCEPTS.get(by_parts(b)[0], ""), "") for b in t.column.lookup.by}
        expected = kind if kind in by else expected
    typ = t.column.type
    if kind is None:
        return score, how
    if kind == expected or (expected == "postal" and kind == "digits") or (typ == "boolean" and kind == "boolean") \
            or (typ == "date" and kind == "date"):
        return score + (1 - score) * 0.5, f"{how}; values look like {KIND_WORDS[kind]}"
    wrong = expected is not None or (typ == "boolean") or (typ == "date") \
        or (typ in ("integer", "decimal") and kind not in ("digits", "number") and t.column.lookup is None) \
        or (kind in DISTINCT and t.column.lookup is None)  # a lookup may name a record by email or org number
    if wrong:
        return score * 0.5, f"{how}; but values look like {KIND_WORDS.get(kind, 'text')}"
    return score, how


def suggest_mapping(table: RawTable, ep: Endpoint) -> Suggestion:
    """The best consistent mapping of ``table``'s columns onto ``ep``'s writable fields, with confidences."""
    targets = _targets(ep)
    date_fields = {t.field for t in targets if t.column.type in ("date", "datetime")}
    primary = next((t.prefix for t in targets if t.prefix), None)
    groups_here = {t.prefix for t in targets if t.prefix}
    headers = list(dict.fromkeys(h for h in table.headers if h and h.strip()))  # a repeated header: the first
    folded = {h: fold(h) for h in headers}
    cells = {h: [r.cells[i] if i < len(r.cells) else None for r in table.rows]
             for h in headers for i in [table.headers.index(h)]}
    kinds = {h: value_kind(v) for h, v in cells.items()}
    cands: list[tuple[float, int, int, _Target, str, str]] = []
    for ti, t in enumerate(targets):
        for hi, h in enumerate(headers):
            score, how = _header_score(folded[h], t, primary, groups_here)
            if score > 0:
                how = f"header '{h}' ~ {t.field} ({how})"
            elif kinds[h] is not None and kinds[h] == CONCEPT_KINDS.get(t.concept or "") and kinds[h] in DISTINCT:
                score, how = 0.1, f"column '{h}' by its cells"  # the cells alone: 0.55, written commented out
            else:
                continue
            score, how = _content(score, how, t, kinds[h])
            if score >= _FLOOR:
                cands.append((score, ti, hi, t, h, how))
    used: set[str] = set()
    done: dict[str, FieldSuggestion] = {}
    for s in _name_parts(targets, headers, folded):
        done[s.field] = s
        used.update(s.join or (s.source,))
    for score, _ti, _hi, t, h, how in sorted(cands, key=lambda c: (-c[0], c[1], c[2])):
        if t.field in done or h in used:
            continue
        done[t.field] = _with_values(FieldSuggestion(t.field, h, round(score, 2), how), t, cells[h])
        used.add(h)
    for s in _split_full_name(targets, headers, folded, used, done):
        done[s.field] = s
        used.add(s.source)
    order = {t.field: i for i, t in enumerate(targets)}
    fields = sorted(done.values(), key=lambda s: order[s.field])
    confident = {s.field for s in fields if s.confidence >= CONFIDENT}
    dated = [s.source for s in fields if s.field in confident and s.field in date_fields]
    forms = [f for f in DATE_FORMATS if dated and all(f in date_formats(cells[h]) for h in dated)]
    missing = [t for t in targets if t.column.required_create and t.field not in confident]
    return Suggestion(ep.name, ep.system, fields, [h for h in headers if h not in used],
                      [t.field for t in missing], {t.field: t.column.enum for t in missing if t.column.enum},
                      table.encoding, table.separator, forms, dated)


def _with_values(s: FieldSuggestion, t: _Target, cells: list[RawCell]) -> FieldSuggestion:
    """A cell of several values keeps its first; an enum field fed by a column that spells its values
    otherwise gets a value map, or a warning."""
    if t.column.type not in ("int_list", "string_list") and any(isinstance(v, str) and MULTI in v for v in cells):
        s = replace(s, pattern=FIRST_OF_MULTI, reason=f"{s.reason}; keeps the first of '{MULTI.strip()}'-joined values")
        cells = [v.split(MULTI)[0] if isinstance(v, str) else v for v in cells]
    if not t.column.enum:
        return s
    mapped, unknown = enum_map(cells, t.column.enum, VALUE_SYNONYMS, fold)
    reason, conf = s.reason, s.confidence
    if mapped:
        reason += "; values mapped: " + ", ".join(f"{k!r} -> {v!r}" for k, v in mapped.items())
    if unknown:
        reason += f"; values not among {', '.join(t.column.enum)}: {', '.join(repr(u) for u in unknown[:3])}"
        conf = round(conf * (0.8 if mapped or len(unknown) < len(set(map(str, cells))) else 0.5), 2)
    return replace(s, confidence=conf, reason=reason, values=tuple(mapped.items()))


def _concept_score(header: str, concept: str) -> float:
    return _name_score(header, set(), [fold(s) for s in SYNONYMS[concept]])[0]


def _best(headers: list[str], folded: dict[str, str], concept: str, used: set[str]) -> tuple[str, float] | None:
    scored = [(h, _concept_score(folded[h], concept)) for h in headers if h not in used]
    scored = [s for s in scored if s[1] >= 0.8]
    return max(scored, key=lambda s: s[1]) if scored else None


def _name_parts(targets: list[_Target], headers: list[str], folded: dict[str, str]) -> list[FieldSuggestion]:
    """A template with one ``name`` and a file with first and last names: join them (middle name too)."""
    concepts = {t.concept for t in targets}
    name = next((t for t in targets if t.concept == "name" and t.prefix is None), None)
    if name is None or {"first_name", "last_name"} & concepts:
        return []
    if any(_concept_score(folded[h], "full_name") >= 0.9 for h in headers):
        return []
    first, last = _best(headers, folded, "first_name", set()), _best(headers, folded, "last_name", set())
    if first is None or last is None:
        return []
    middle = _best(headers, folded, "middle_name", {first[0], last[0]})
    parts = (first[0], *([middle[0]] if middle else []), last[0])
    conf = round(min(first[1], last[1]) * 0.95, 2)
    reason = f"headers {', '.join(repr(p) for p in parts)} ~ first and last name, joined"
    return [FieldSuggestion(name.field, first[0], conf, reason, join=parts)]


def _split_full_name(targets: list[_Target], headers: list[str], folded: dict[str, str], used: set[str],
                     done: dict[str, FieldSuggestion]) -> list[FieldSuggestion]:
    """First and last name fields, neither mapped, and one full-name column: split it on its last space."""
    halves = [t for t in targets if t.concept in ("first_name", "last_name") and t.prefix is None]
    if len(halves) != 2 or any(t.field in done for t in halves):
        return []
    full = _best(headers, folded, "full_name", used)
    if full is None:
        return []
    conf = round(full[1] * 0.9, 2)
    return [FieldSuggestion(t.field, full[0], conf, f"header '{full[0]}' ~ full name, split: {part} part",
                            part=part) for t, part in zip(halves, ("first", "last") if halves[0].concept ==
                                                          "first_name" else ("last", "first"), strict=True)]
