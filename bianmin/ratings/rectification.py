"""Placeholder until the rectification flow lands."""


def on_rating_changed(rating, *, actor=None) -> None:
    return None
