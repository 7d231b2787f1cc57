"""Allow `python -m pipeline` as well as the `consolidate` console script."""
from pipeline.cli import main

main()
