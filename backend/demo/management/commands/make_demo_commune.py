"""python manage.py make_demo_commune [--households N] [--seed S] [--stalls N] [--rounds 2025,2027] [--replace]
                                    [--workers N] [--batch N]

On a database that already has hamlets, submissions or households it says what it would
replace and stops; `--replace` deletes them and loads the synthetic commune."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from backend.core.errors import Problem
from backend.demo.generator import DemoSpec
from backend.demo.loader import DemoDataExists, demo_commune_load


class Command(BaseCommand):
    help = "Build a synthetic Phú Lâm (hamlets, market, registers) and ingest its survey submissions."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=16_500)
        parser.add_argument("--seed", type=int, default=57)
        parser.add_argument("--stalls", type=int, default=200)
        parser.add_argument("--rounds", default="2025,2027", help="survey years, comma-separated")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="delete the hamlets, household register and survey submissions already in the database first",
        )
        parser.add_argument(
            "--workers", type=int, default=1, help="ingest in this many processes (each takes a share of the hamlets)"
        )

        parser.add_argument(
            "--batch",
            type=int,
            default=500,
            help="submissions stored per transaction through the batch path (1: each through submission_receive)",
        )

    def handle(self, *args, households, seed, stalls, rounds, no_progress, workers, replace, batch, **options):
        try:
            years = tuple(int(y) for y in rounds.split(",") if y.strip())
        except ValueError:
            raise CommandError(f"--rounds takes years like 2025,2027; got {rounds!r}")
        if households < 1 or stalls < 0 or not years or any(y < 2025 or y > 2035 for y in years):
            raise CommandError("--households must be ≥ 1, --stalls ≥ 0 and --rounds years within 2025–2035.")
        spec = DemoSpec(households=households, seed=seed, stalls=stalls, rounds=years)

        def progress(stream, total):
            return tqdm(
                stream, total=total, unit="sub", disable=no_progress, smoothing=0.05, desc="submissions / bản ghi"
            )

        if workers < 1 or batch < 1:
            raise CommandError("--workers and --batch must be ≥ 1.")
        try:
            outcomes = demo_commune_load(spec=spec, progress=progress, workers=workers, replace=replace, batch=batch)
        except DemoDataExists as exc:
            raise CommandError(str(exc))
        except Problem as exc:
            raise CommandError(f"{exc.code} {exc.message}")
        for key, count in sorted(outcomes.items()):
            self.stdout.write(f"{key}: {count}")
