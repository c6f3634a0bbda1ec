from django import template
from django.utils.http import urlencode

from ..selectors import Figure, Point

register = template.Library()


@register.simple_tag(takes_context=True)
def drill_url(context, figure: Figure, point: Point) -> str:
    """The page listing the rows behind `point` (the same URL the chart navigates to)."""
    base = context["drill_urls"][figure.target]
    return f"{base}?{urlencode(point.filters)}" if point.filters else ""
