"""Cut Tripletex's official OpenAPI spec down to the paths bulktool uses, for the package to ship.

The sandbox validates every request body against this copy and the template test checks the
templates against it, so neither needs the 3.6 MB original at run time. Run it again after a
new spec release or when a template adds a resource:

    python scripts/trim_tripletex_spec.py ../shared/api-specs/tripletex-openapi-2.74.00.json

The output is deterministic (sorted keys), so a re-run with the same input changes nothing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "bulktool" / "vendors" / "tripletex" / "spec" / "openapi-trimmed.json"

# Resources behind bulktool's templates: each keeps its list, item and bulk paths.
RESOURCES = (
    "/customer", "/supplier", "/contact", "/product", "/project", "/employee", "/department",
    "/activity", "/ledger/account", "/timesheet/entry",
    "/country", "/currency", "/ledger/vatType", "/product/unit",
    "/deliveryAddress", "/address",
)
EXTRA_PATHS = ("/token/session/:create", "/token/session/>whoAmI", "/company/>withLoginAccess")


def wanted(path: str) -> bool:
    if path in EXTRA_PATHS:
        return True
    return any(path in (r, f"{r}/{{id}}", f"{r}/list") for r in RESOURCES)


def refs(node: Any, out: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            out.add(ref.rsplit("/", 1)[1])
        for v in node.values():
            refs(v, out)
    elif isinstance(node, list):
        for v in node:
            refs(v, out)


def trim(spec: dict[str, Any]) -> dict[str, Any]:
    paths = {p: ops for p, ops in spec["paths"].items() if wanted(p)}
    schemas = spec["components"]["schemas"]
    keep: set[str] = set()
    todo: set[str] = set()
    refs(paths, todo)
    while todo:
        name = todo.pop()
        if name in keep:
            continue
        keep.add(name)
        found: set[str] = set()
        refs(schemas[name], found)
        todo |= found - keep
    return {
        "openapi": spec["openapi"],
        "info": {**spec["info"], "x-bulktool-trimmed": "only the paths bulktool uses (scripts/trim_tripletex_spec.py)"},
        "paths": paths,
        "components": {"schemas": {n: schemas[n] for n in sorted(keep)},
                       "securitySchemes": spec["components"].get("securitySchemes", {})},
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        print("usage: trim_tripletex_spec.py FULL_SPEC.json", file=sys.stderr)
        return 2
    spec = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(trim(spec), sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n",
                   encoding="utf-8")
    print(f"{OUT}: {len(trim(spec)['paths'])} paths")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
