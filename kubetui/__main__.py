"""Entry point for ``python -m kubetui``."""

from kubetui.cli import main

raise SystemExit(main())
