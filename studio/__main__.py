"""``python -m studio``: the `studio` command (what torchrun starts: ``torchrun ... -m studio train RECIPE``)."""

from studio.cli import main

raise SystemExit(main())
