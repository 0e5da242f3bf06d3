"""Recompute every indicator, the scorecard and the review flags; store the results.

Prints one line per stage (read, join, compute, write, and repair when answers had to be
extracted again) with its time, so the slowest stage is visible:
`python manage.py compute_indicators [--round 2025]`.
"""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from backend.reports.services import indicator_results_compute

STAGES = ("read", "join", "compute", "write")


class Command(BaseCommand):
    help = "Tính lại các chỉ số và bộ tiêu chí KDC CĐS / Recompute indicators and the scorecard."

    def add_arguments(self, parser):
        parser.add_argument("--round", dest="round_name", default=None, help="only this survey round (e.g. 2025)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar (logs, cron)")

    def handle(self, *args, round_name=None, no_progress=False, **options):
        bar = tqdm(
            total=len(STAGES),
            desc="compute_indicators",
            unit="stage",
            disable=no_progress,
            file=self.stderr._out,
            leave=False,
        )
        lines = []

        def progress(stage: str, seconds: float, detail: str) -> None:
            if stage not in STAGES:  # an occasional stage (repair of stale answers)
                bar.total += 1
            lines.append(f"{stage:<8} {seconds:7.3f} s  {detail}")
            bar.update(1)
            bar.set_postfix_str(stage)

        report = indicator_results_compute(round_name=round_name, progress=progress)
        bar.close()
        for line in lines:
            self.stdout.write(line)
        total = sum(report.timings.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"total    {total:7.3f} s  rounds: {', '.join(report.rounds) or '—'}; "
                f"households {report.counts.get('households', 0)}, flagged {report.counts.get('flagged', 0)}"
            )
        )
