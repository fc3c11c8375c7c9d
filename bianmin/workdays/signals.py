"""`calendar_changed` tells dependants (case deadlines) to recompute for the given years."""

from django.dispatch import Signal

calendar_changed = Signal()  # sender=None, years=set[int]
