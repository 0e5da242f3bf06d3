"""Signals of the jobs app."""

from django.dispatch import Signal

# Sent by the nightly maintenance job (kind "maintenance.purge") with `now`; apps that keep a
# trash (deleted submissions kept for a while) connect a receiver that purges what is due.
# A receiver returns a dict of counts, reported in the job's result.
purge_due = Signal()
