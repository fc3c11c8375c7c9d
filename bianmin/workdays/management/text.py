def year_ranges(years) -> str:
    """2004–2026、2028 rather than 24 numbers."""
    parts, run = [], []
    for y in sorted(years):
        if run and y != run[-1] + 1:
            parts.append(run)
            run = []
        run.append(y)
    if run:
        parts.append(run)
    return "、".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in parts) or "—"
