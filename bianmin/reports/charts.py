"""Charts for the report pages: the shared server-drawn SVG bar chart (see common/charts.py)."""

from bianmin.common.charts import bar_chart

__all__ = ["bar_chart"]
