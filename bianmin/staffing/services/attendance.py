"""Attendance and leave (考勤/请假)."""

import datetime as dt


def staff_on_leave(*, staff_ids: list[int], day: dt.date) -> set[int]:
    """Staff among `staff_ids` on approved leave on `day`."""
    return set()
