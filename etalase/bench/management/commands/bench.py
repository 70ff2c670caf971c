"""``etalase bench <what>``: generate a synthetic data set and measure, reporting medians and ratios.

Each benchmark is a module of ``etalase.bench`` with ``add_arguments(parser)`` and
``run(command, **options)``; ``etalase bench --help`` lists them.
"""

from importlib import import_module
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

BENCHMARKS = {
    "dashboard": "etalase.bench.dashboard",
    "live": "etalase.bench.live",
    "crm": "etalase.bench.crm",
    "http": "etalase.bench.http",
}


class Command(BaseCommand):
    help = "Run a benchmark: " + ", ".join(BENCHMARKS)

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="benchmark", required=True)
        for name, module_path in BENCHMARKS.items():
            try:
                module = import_module(module_path)
            except ModuleNotFoundError:
                continue
            sub = subparsers.add_parser(name, help=(module.__doc__ or "").strip().splitlines()[0])
            module.add_arguments(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        module = import_module(BENCHMARKS[options.pop("benchmark")])
        module.run(self, **options)
