"""Where each key of a TOML text sits, so a mapping error can say "line 7, key fields.email.transform".

``tomllib`` gives values without positions. This scanner walks text that ``tomllib`` has already
accepted and records the line of every key: table headers (``[set]``, ``[[target]]``, ``[target.fields]``,
counted per array element), bare, quoted and dotted keys, keys inside inline tables, and array items
(for a multi-line ``skip = [...]``). Strings, multi-line strings and comments are skipped so that a
``=`` or ``[`` inside them is never taken for syntax.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

KeyPath = tuple[str | int, ...]
_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


@dataclass
class _Scan:
    text: str
    pos: int = 0
    line: int = 1
    lines: dict[KeyPath, int] = field(default_factory=dict)
    arrays: dict[KeyPath, int] = field(default_factory=dict)  # [[x]] header path -> elements so far

    def peek(self, k: int = 0) -> str:
        i = self.pos + k
        return self.text[i] if i < len(self.text) else ""

    def advance(self, n: int = 1) -> None:
        for _ in range(n):
            if self.peek() == "\n":
                self.line += 1
            self.pos += 1

    def skip_space(self, newlines: bool) -> None:
        """Spaces and tabs; with ``newlines`` also line breaks and comments (inside arrays)."""
        while self.pos < len(self.text):
            c = self.peek()
            if c in " \t\r" or (newlines and c == "\n"):
                self.advance()
            elif c == "#":
                while self.peek() not in ("\n", ""):
                    self.advance()
            else:
                return

    def string(self) -> str:
        """One string at ``pos`` (any of the four kinds); its content, escapes left as written."""
        q = self.peek()
        triple = self.text.startswith(q * 3, self.pos)
        self.advance(3 if triple else 1)
        start = self.pos
        end = q * 3 if triple else q
        while self.pos < len(self.text) and not self.text.startswith(end, self.pos):
            self.advance(2 if q == '"' and self.peek() == "\\" else 1)
        out = self.text[start:self.pos]
        self.advance(len(end))
        while triple and self.peek() == q:  # up to two quotes may close a multi-line string's content
            self.advance()
        return out

    def key(self) -> list[str]:
        """A dotted key: bare and quoted parts."""
        parts: list[str] = []
        while True:
            self.skip_space(False)
            if self.peek() in ('"', "'"):
                parts.append(self.string())
            else:
                start = self.pos
                while self.peek() in _BARE and self.peek():
                    self.advance()
                parts.append(self.text[start:self.pos])
            self.skip_space(False)
            if self.peek() != ".":
                return parts
            self.advance()

    def items(self, close: str, each: Callable[[], None]) -> None:
        """The comma-separated items of an array or inline table up to ``close``, each read by ``each``."""
        self.advance()
        while True:
            self.skip_space(True)
            if self.peek() in (close, ""):
                self.advance()
                return
            if self.peek() == ",":
                self.advance()
                continue
            each()

    def value(self, path: KeyPath) -> None:
        self.skip_space(False)
        c = self.peek()
        if c in ('"', "'"):
            self.string()
        elif c == "[":
            index = 0

            def item() -> None:
                nonlocal index
                self.lines.setdefault((*path, index), self.line)
                self.value((*path, index))
                index += 1

            self.items("]", item)
        elif c == "{":
            self.items("}", lambda: self.pair(path))
        else:
            while self.peek() not in (",", "]", "}", "\n", "#", ""):
                self.advance()

    def pair(self, prefix: KeyPath) -> None:
        line = self.line
        parts = self.key()
        for n in range(1, len(parts) + 1):  # a.b.c = 1 also places a and a.b
            self.lines.setdefault((*prefix, *parts[:n]), line)
        path = (*prefix, *parts)
        self.skip_space(False)
        if self.peek() == "=":
            self.advance()
            self.value(path)

    def header(self) -> KeyPath:
        array = self.text.startswith("[[", self.pos)
        self.advance(2 if array else 1)
        parts = self.key()
        self.advance(2 if array else 1)
        path: KeyPath = ()
        for i, part in enumerate(parts):  # a header under an array of tables names its latest element
            path = (*path, part)
            if i < len(parts) - 1 and path in self.arrays:
                path = (*path, self.arrays[path] - 1)
        if array:
            n = self.arrays.get(path, 0)
            self.arrays[path] = n + 1
            self.lines.setdefault(path, self.line)
            path = (*path, n)
        self.lines.setdefault(path, self.line)
        return path

    def run(self) -> dict[KeyPath, int]:
        table: KeyPath = ()
        while self.pos < len(self.text):
            self.skip_space(True)
            if not self.peek():
                break
            if self.peek() == "[":
                table = self.header()
            else:
                self.pair(table)
            self.skip_space(False)
            while self.peek() not in ("\n", ""):  # whatever is left of the line (a stray token)
                self.advance()
        return self.lines


def key_lines(text: str) -> dict[KeyPath, int]:
    """Every key path of a valid TOML text -> its 1-based line (``("target", 1, "fields", "name")``)."""
    return _Scan(text).run()


def line_of(lines: dict[KeyPath, int], path: KeyPath) -> int:
    """The line of ``path``, else of its nearest parent that has one (1 for the top level)."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return 1


def dotted(path: KeyPath) -> str:
    """ ``("target", 1, "fields", "a.b")`` -> ``target[1].fields."a.b"`` as a user reads it."""
    out = ""
    for p in path:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            part = p if p and all(c in _BARE for c in p) else f'"{p}"'
            out += f".{part}" if out else part
    return out or "<top level>"
