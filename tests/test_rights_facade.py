"""gdprkit.rights as a facade: every name it offered before the split still works."""

from __future__ import annotations

import inspect
import typing

import pytest

from gdprkit import requests, rights
from gdprkit._rights import sql_source

#: The public names of gdprkit.rights before it became a facade over gdprkit._rights.
BEFORE = (
    "DataSource", "ErasableSource", "ErasureAction", "ErasureItem", "ErasurePlan",
    "ErasureReceipt", "ExportResult", "IterableSource", "MANIFEST_SCHEMA_VERSION",
    "RecordErasure", "RequestKind", "RequestRegister", "RequestState", "SQLSource", "SubjectRef",
    "SubjectRequest", "execute_erasure", "export_subject", "paramstyle_of", "plan_erasure",
    "quote_identifier", "rectify", "verify_package",
)  # fmt: skip
DEPRECATED = {
    "paramstyle_of": sql_source.paramstyle_of,
    "quote_identifier": sql_source.quote_identifier,
}


@pytest.mark.parametrize("name", sorted(set(BEFORE) - set(DEPRECATED)))
def test_a_name_of_before_is_still_offered(name):
    namespace: dict[str, object] = {}
    exec(f"from gdprkit.rights import {name}", namespace)
    assert namespace[name] is getattr(rights, name)
    assert name in rights.__all__


@pytest.mark.parametrize("name", sorted(DEPRECATED))
def test_a_helper_that_is_not_rights_api_warns_and_names_its_new_place(name):
    with pytest.warns(
        DeprecationWarning, match=rf"gdprkit\.rights\.{name} .*gdprkit\._rights\.sql_source"
    ):
        assert getattr(rights, name) is DEPRECATED[name]
    with pytest.warns(DeprecationWarning, match="not rights API"):
        exec(f"from gdprkit.rights import {name}", {})
    assert name not in rights.__all__


def test_an_unknown_name_is_still_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'quote'"):
        rights.quote


def test_every_name_in_all_is_defined_and_public():
    for name in rights.__all__:
        assert not name.startswith("_") and hasattr(rights, name), name


def test_subject_request_has_two_import_paths_and_no_warning():
    # The suite turns warnings into errors: neither path may warn.
    from gdprkit.requests import SubjectRequest as from_requests
    from gdprkit.rights import SubjectRequest as from_rights

    assert from_rights is from_requests is requests.SubjectRequest


def test_the_types_of_public_signatures_are_public():
    # Signatures name Scope and RestrictionLedger; both are importable from gdprkit.rights.
    assert typing.get_args(rights.Scope) == ("access", "portability")
    export = inspect.signature(rights.export_subject).parameters
    assert export["scope"].annotation == "Scope"
    erase = inspect.signature(rights.execute_erasure).parameters
    assert erase["ledger"].annotation == "RestrictionLedger | None"
    assert {"Scope", "RestrictionLedger"} <= set(rights.__all__)
