"""The quick select writes the markup Django's select templates write, for every kind of choice."""

import pytest
from django import forms
from django.test.html import parse_html

from archive import widgets
from archive.forms import StyledForm

CHOICES = [("", "全部"), ("a", "A <b>&</b>"), ("华东", [("x", "上海"), ("y", "杭州")]), (3, "三")]


@pytest.mark.parametrize(
    ("quick", "django", "value"),
    [
        (widgets.Select, forms.Select, "x"),
        (widgets.Select, forms.Select, None),
        (widgets.Select, forms.Select, 3),
        (widgets.SelectMultiple, forms.SelectMultiple, ["a", "y"]),
        (widgets.SelectMultiple, forms.SelectMultiple, []),
    ],
)
def test_the_quick_select_writes_what_django_writes(quick, django, value):
    attrs = {"class": "form-select", "id": "id_place", "required": True, "aria-invalid": "true"}
    ours = quick(attrs=attrs, choices=CHOICES).render("place", value)
    theirs = django(attrs=attrs, choices=CHOICES).render("place", value)
    assert parse_html(ours) == parse_html(theirs)
    assert "A &lt;b&gt;&amp;&lt;/b&gt;" in ours  # labels are escaped


def test_styled_forms_render_their_selects_quickly_and_keep_the_field_behaviour():
    class Form(StyledForm):
        place = forms.ChoiceField(choices=CHOICES[1:])
        places = forms.MultipleChoiceField(choices=CHOICES[1:], required=False)
        flag = forms.NullBooleanField()

    form = Form(data={"place": "nowhere"})
    assert type(form.fields["place"].widget) is widgets.Select
    assert type(form.fields["places"].widget) is widgets.SelectMultiple
    assert (form["place"].widget_type, form["places"].widget_type) == ("select", "selectmultiple")
    assert type(form.fields["flag"].widget) is forms.NullBooleanSelect  # only plain selects are swapped
    assert not form.is_valid()
    html = str(form["place"])
    assert 'class="form-select is-invalid"' in html
    assert Form(data={"place": "x", "places": ["a", "y"]}).is_valid()
