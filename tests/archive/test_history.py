"""The change trail (``archive.history``): one timeline of several models, built only for the part a reader opens."""

import pytest

from archive.history import build_trail, delete_with_trail, trail
from archive.registry import registry
from customers import services
from customers.models import Contact, Customer


def _sources(customer):
    return [(source.model, {source.customer_field: customer.pk}) for source in registry.trail_sources]


def _seen(entries):
    """What a reader of the trail sees of each entry, the related objects' ids included."""
    return [
        (
            e.model,
            e.record.history_id,
            e.when,
            e.kind,
            e.user_name,
            e.reason,
            e.object_label,
            [(c.field.name, c.old, c.new) for c in e.changes],
        )
        for e in entries
    ]


@pytest.fixture
def busy_a(world):
    """Customer A with a long trail: thirty card edits, contacts added, edited, saved unchanged and deleted."""
    a, owner = world["a"], world["owner"]
    kept = services.contact_create(actor=owner, customer_id=a.pk, data={"name": "张三"})
    gone = services.contact_create(actor=owner, customer_id=a.pk, data={"name": "李四"})
    for n in range(30):
        services.customer_update(actor=owner, customer_id=a.pk, data={"phone": f"021-{n:04d}"})
    services.contact_update(actor=owner, contact_id=kept.pk, data={"title": "经理"})
    services.contact_update(actor=owner, contact_id=kept.pk, data={"title": "经理"})  # saves, changes nothing
    delete_with_trail(Contact.objects.get(pk=gone.pk), actor=owner, reason="离职")
    return a


def test_a_page_of_the_trail_shows_what_the_whole_trail_shows_there(busy_a):
    whole = build_trail(_sources(busy_a))
    paged = trail(_sources(busy_a))

    assert len(paged) == len(whole)
    for start in range(0, len(whole) + 10, 10):
        assert _seen(paged[start : start + 10]) == _seen(whole[start : start + 10])
    assert _seen([paged[0]]) == _seen(whole[:1])
    assert _seen([paged[-1]]) == _seen(whole[-1:])
    assert _seen(paged) == _seen(whole)


def test_the_trail_is_newest_first_and_leaves_out_saves_that_changed_nothing(busy_a):
    entries = build_trail(_sources(busy_a))
    contact_rows = Contact.history.filter(customer_id=busy_a.pk).count()

    stamps = [(e.when, e.record.history_id) for e in entries]
    assert stamps == sorted(stamps, reverse=True)
    contacts = [e for e in entries if e.model is Contact]
    assert len(contacts) == contact_rows - 1  # the unchanged save
    assert [(e.kind, e.object_label) for e in contacts if e.kind != "+"] == [("-", "李四"), ("~", "张三")]
    deleted = next(e for e in contacts if e.kind == "-")
    assert deleted.changes == [] and deleted.reason == "离职"
    edited = next(e for e in contacts if e.kind == "~")
    assert [(c.field.name, c.old, c.new) for c in edited.changes] == [("title", "", "经理")]
    phones = [e for e in entries if e.model is Customer and e.kind == "~"]
    assert [c.new for e in phones[:2] for c in e.changes] == ["021-0029", "021-0028"]


def test_sources_without_rows_cost_one_query_together(busy_a, django_assert_num_queries):
    sources = _sources(busy_a)
    with_rows = sum(model.history.filter(**lookup).exists() for model, lookup in sources)
    assert with_rows < len(sources)

    with django_assert_num_queries(1 + with_rows):
        paged = trail(sources)
    # Slicing reads no row again; only what a label names (the holder of a right) is looked up.
    with django_assert_num_queries(0):
        paged[:5]
    with django_assert_num_queries(1 + with_rows):
        assert trail([(Contact, {"customer_id": 0}), *sources])  # an empty source adds no query


def test_no_sources_no_query(django_assert_num_queries, db):
    with django_assert_num_queries(0):
        assert len(trail([])) == 0
        assert len(trail([(Contact, {"customer_id__in": []})])) == 0  # a filter that can match nothing
