"""``python -m bulktool``."""

from .cli import main

main()
