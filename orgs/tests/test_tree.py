"""Walking up the unit tree from a path: the units above, in order, and their ids."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orgs import tree as paths
from orgs.models import Unit


def test_the_paths_above_a_unit_run_from_the_root_down_and_end_with_its_own():
    assert paths.ancestor_paths("000100020003") == ["0001", "00010002", "000100020003"]
    assert paths.ancestor_paths("0001") == ["0001"]


def test_without_itself_only_the_units_above_remain():
    assert paths.ancestor_paths("000100020003", include_self=False) == ["0001", "00010002"]
    assert paths.ancestor_paths("0001", include_self=False) == []


def test_from_a_top_unit_down():
    assert paths.ancestor_paths("000100020003", top="00010002") == ["00010002", "000100020003"]
    assert paths.ancestor_paths("000100020003", top="000100020003") == ["000100020003"]


def test_the_parent_path():
    assert paths.parent_path("000100020003") == "00010002"
    assert paths.parent_path("0001") == ""


def test_the_step_is_the_models():
    assert paths.STEPLEN == Unit.steplen == 4


@pytest.mark.django_db
def test_a_units_chain_is_itself_and_every_unit_above_in_one_query(tree):
    with CaptureQueriesContext(connection) as queries:
        chain = paths.chain_ids(tree["LA-CD-LTR"])
    assert chain == [tree[code].pk for code in ("VN", "LA", "LA-CD", "LA-CD-LTR")]
    assert len(queries) == 1
    assert paths.chain_ids(None) == []


@pytest.mark.django_db
def test_many_chains_are_read_in_one_query(tree):
    ltr, pl = tree["LA-CD-LTR"].path, tree["LA-CG-PL"].path
    with CaptureQueriesContext(connection) as queries:
        chains = paths.chains_by_path([ltr, pl])
    assert len(queries) == 1
    assert chains == {
        ltr: [tree[code].pk for code in ("VN", "LA", "LA-CD", "LA-CD-LTR")],
        pl: [tree[code].pk for code in ("VN", "LA", "LA-CG", "LA-CG-PL")],
    }
    with CaptureQueriesContext(connection) as queries:
        assert paths.chains_by_path([]) == {}
    assert len(queries) == 0


@pytest.mark.django_db
def test_a_chain_from_every_units_path_read_once(tree):
    ids = dict(Unit.objects.values_list("path", "pk"))
    assert paths.chain_from(ids, tree["LA-CG-PL"].path) == [
        tree[code].pk for code in ("VN", "LA", "LA-CG", "LA-CG-PL")
    ]
    # A path whose upper units are gone (deleted meanwhile) keeps those that remain.
    assert paths.chain_from({tree["LA"].path: tree["LA"].pk}, tree["LA-CD"].path) == [tree["LA"].pk]
