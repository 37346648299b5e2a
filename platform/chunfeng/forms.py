"""Form helpers shared by every domain."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wtforms import SelectChoice, SelectMultipleField, widgets


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """WTForms 3.3 option objects from (value, label) pairs; labels may be lazy translations."""
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    """A set of check boxes (e.g. cooperation modes) rendered by macros/forms.html."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()
