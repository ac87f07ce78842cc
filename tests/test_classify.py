"""The classification gate: gk.check_classified, gdprkit.testing.assert_classified and
``gdprkit check-models`` on attrs classes, dataclasses, pydantic models and SQLAlchemy mapped
classes, failures included; the model-adapter registry behind them; and ``import gdprkit``
importing neither pydantic nor SQLAlchemy."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, ClassVar

import attrs
import pytest

import gdprkit as gk
from gdprkit import cli
from gdprkit._tagging.models import ModelField, model_fields, register_model_adapter
from gdprkit.testing import assert_classified

EMAIL = gk.Personal(category="contact.email", purposes=("contract",))


@attrs.frozen
class AttrsDone:
    email: str = gk.pd_field(category="contact.email", purposes=("contract",))
    plan: str = gk.not_personal(default="basic", reason="a tariff name")
    note: Annotated[str, gk.NotPersonal()] = ""


@attrs.frozen
class AttrsOpen:
    email: Annotated[str, EMAIL]
    plan: str = "basic"


@dataclasses.dataclass
class DataDone:
    email: Annotated[str, EMAIL]
    plan: str = dataclasses.field(default="basic", metadata={"gdprkit.tag": gk.NotPersonal()})


@dataclasses.dataclass
class DataOpen:
    email: Annotated[str | None, EMAIL]
    plan: str = "basic"
    both: Annotated[str, EMAIL, gk.NotPersonal()] = ""


def _pydantic_models() -> tuple[type, type]:
    pydantic = pytest.importorskip("pydantic", reason="gdprkit[pydantic] is not installed")

    class PydDone(pydantic.BaseModel):
        email: Annotated[str, EMAIL]
        plan: Annotated[str, gk.NotPersonal("a tariff name")] = "basic"

    class PydOpen(pydantic.BaseModel):
        email: Annotated[str, pydantic.Field(max_length=200), EMAIL]
        plan: str = "basic"

    return PydDone, PydOpen


def _mapped_models() -> tuple[type, type]:
    pytest.importorskip("sqlalchemy", reason="gdprkit[sqlalchemy] is not installed")
    from tests import gate_sqlalchemy

    return gate_sqlalchemy.MappedDone, gate_sqlalchemy.MappedOpen


KINDS: dict[str, Callable[[], tuple[type, type]]] = {
    "attrs": lambda: (AttrsDone, AttrsOpen),
    "dataclass": lambda: (DataDone, DataOpen),
    "pydantic": _pydantic_models,
    "sqlalchemy": _mapped_models,
}
UNCLASSIFIED = {
    "attrs": ["AttrsOpen.plan"],
    "dataclass": ["DataOpen.plan"],
    "pydantic": ["PydOpen.plan"],
    "sqlalchemy": ["MappedOpen.id"],
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_classified_model_passes(kind: str) -> None:
    done, _ = KINDS[kind]()
    report = gk.check_classified(done)
    assert report.ok and len(report.models) == 1
    assert report.models[0].not_personal and report.models[0].personal == ("email",)
    assert assert_classified(done) == report


@pytest.mark.parametrize("kind", list(KINDS))
def test_an_unclassified_field_fails_the_gate(kind: str) -> None:
    done, open_ = KINDS[kind]()
    with pytest.raises(gk.UnclassifiedFields) as caught:
        gk.check_classified(done, open_)
    names = [f.rsplit(".", 2)[-2] + "." + f.rsplit(".", 1)[-1] for f in caught.value.fields]
    assert names == UNCLASSIFIED[kind]
    assert f"{UNCLASSIFIED[kind][0]}: neither tagged" in str(caught.value)
    with pytest.raises(AssertionError, match=r"unclassified  \S+" + UNCLASSIFIED[kind][0]):
        assert_classified(open_)


def test_a_field_both_tagged_and_not_personal_fails() -> None:
    with pytest.raises(gk.UnclassifiedFields) as caught:
        gk.check_classified(DataOpen)
    assert [f.rsplit(".", 1)[-1] for f in caught.value.conflicting] == ["both"]
    assert "both: both tagged and NotPersonal" in str(caught.value)
    # Annotated inside "X | None" counts
    assert [f.name for f in model_fields(DataOpen) if f.markers][:1] == ["email"]


def test_the_report_says_what_it_found() -> None:
    with pytest.raises(gk.UnclassifiedFields):
        gk.check_classified(AttrsDone, AttrsOpen)
    from gdprkit._tagging.classify import classify

    report = classify(AttrsDone, AttrsOpen, AttrsDone)  # each model once
    assert [m.model.rsplit(".", 1)[-1] for m in report.models] == ["AttrsDone", "AttrsOpen"]
    text = str(report)
    assert text.splitlines()[0] == (
        "2 model(s), 5 field(s): 2 personal, 2 not personal, 1 unclassified, 0 both"
    )
    assert text.splitlines()[1].startswith("  unclassified  ") and text.endswith("AttrsOpen.plan")


def test_bad_targets_raise_typed_errors() -> None:
    with pytest.raises(gk.NotTagged, match="not a int"):
        gk.check_classified(42)  # type: ignore[arg-type]
    with pytest.raises(gk.NotTagged, match="no model class gdprkit knows"):
        gk.check_classified(Path)
    with pytest.raises(gk.NotTagged, match="found no model class"):
        gk.check_classified(textwrap)  # a module without models: a gate must not pass on nothing
    with pytest.raises(AssertionError, match="no model class found to check in textwrap"):
        assert_classified("textwrap")
    with pytest.raises(ModuleNotFoundError):
        gk.check_classified("no_such_module_anywhere")


def test_not_personal_is_a_checked_value() -> None:
    assert gk.NotPersonal().reason == ""
    with pytest.raises(TypeError, match="reason must be a string"):
        gk.NotPersonal(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="metadata itself"):
        gk.not_personal(metadata={"x": 1})


def test_personal_data_reads_dataclass_metadata_too() -> None:
    @gk.personal_data(subject="customer")
    @dataclasses.dataclass
    class Contact:
        email: str = dataclasses.field(metadata={"gdprkit.tag": EMAIL})
        phone: Annotated[str, gk.Personal(category="contact.phone", purposes=("crm",))] = ""

    assert gk.schema_of(Contact).personal_fields == ("email", "phone")
    with pytest.raises(gk.NotTagged, match="apply @attrs.frozen / @dataclass first"):
        gk.personal_data(subject="customer")(type("Plain", (), {}))


def test_a_registered_adapter_teaches_gdprkit_a_model_kind() -> None:
    class Record:
        """A framework's model: its fields listed in ``FIELDS`` with their markers."""

        FIELDS: ClassVar[dict[str, tuple[object, ...]]] = {}

    class RecordAdapter:
        def handles(self, cls: type) -> bool:
            return issubclass(cls, Record)

        def fields(self, cls: type) -> tuple[ModelField, ...]:
            return tuple(ModelField(n, m) for n, m in cls.FIELDS.items())  # type: ignore[attr-defined]

        def declared(self, cls: type, schema: gk.Schema) -> None:
            cls.declared_as = schema.subject  # type: ignore[attr-defined]

    class Visit(Record):
        FIELDS: ClassVar[dict[str, tuple[object, ...]]] = {
            "email": (EMAIL,),
            "page": (gk.NotPersonal(),),
        }

        def __init__(self, email: str, page: str) -> None:
            self.email, self.page = email, page

    with pytest.raises(TypeError, match="needs handles"):
        register_model_adapter(object())  # type: ignore[arg-type]
    register_model_adapter(RecordAdapter())
    gk.personal_data(subject="customer")(Visit)
    assert Visit.declared_as == "customer"  # type: ignore[attr-defined]
    assert gk.project(Visit("a@b.se", "/"), "contract") == {"email": "a@b.se"}
    assert gk.check_classified(Visit).ok


def test_unresolvable_annotations_keep_the_resolvable_tags() -> None:
    namespace: dict[str, Any] = {}
    source = textwrap.dedent(
        """
        from __future__ import annotations
        from typing import Annotated, TYPE_CHECKING
        import attrs
        import gdprkit as gk
        if TYPE_CHECKING:
            from somewhere import Missing

        @attrs.frozen
        class Half:
            email: Annotated[str, gk.Personal(category="contact.email", purposes=("crm",))]
            other: Missing | None = None
        """
    )
    module = type(sys)("gdprkit_test_half")
    sys.modules[module.__name__] = module
    try:
        exec(compile(source, "<half>", "exec"), module.__dict__, namespace)
        module.__dict__.update(namespace)
        fields = {f.name: f.markers for f in model_fields(namespace["Half"])}
        assert isinstance(fields["email"][0], gk.Tag) and fields["other"] == ()
    finally:
        del sys.modules[module.__name__]


# -- the command --------------------------------------------------------------------------


@pytest.fixture
def service(tmp_path: Path) -> Path:
    (tmp_path / "svc_models_ok.py").write_text(
        "from dataclasses import dataclass\nfrom typing import Annotated\nimport gdprkit as gk\n"
        "@dataclass\nclass Reading:\n"
        "    kwh: Annotated[float, gk.Personal(category='energy.consumption', purposes=('contract',))]\n"
        "    unit: Annotated[str, gk.NotPersonal()] = 'kWh'\n",
        encoding="utf-8",
    )
    (tmp_path / "svc_models_bad.py").write_text(
        "from dataclasses import dataclass\nfrom svc_models_ok import Reading\n"
        "@dataclass\nclass Visit:\n    page: str\n    referrer: str\n",
        encoding="utf-8",
    )
    (tmp_path / "svc_empty.py").write_text("X = 1\n", encoding="utf-8")
    return tmp_path


def test_check_models_command(
    service: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))
    args = ["check-models", "--path", str(service)]
    assert cli.main([*args, "svc_models_ok"]) == 0
    assert "1 model(s), 2 field(s): 1 personal, 1 not personal, 0 unclassified" in (
        capsys.readouterr().out
    )
    assert cli.main([*args, "svc_models_ok", "svc_models_bad"]) == 1
    out, err = capsys.readouterr()
    # the imported Reading is checked once, where it is defined
    assert "2 model(s)" in out
    assert "unclassified  svc_models_bad.Visit.page" in out
    assert "unclassified  svc_models_bad.Visit.referrer" in out
    assert "NotPersonal" in err
    assert cli.main([*args, "svc_empty"]) == 1
    assert "no model class is defined in svc_empty" in capsys.readouterr().err
    assert cli.main([*args, "svc_missing"]) == 2
    assert "cannot import svc_missing" in capsys.readouterr().err


def test_check_models_runs_as_a_program(service: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gdprkit", "check-models", "svc_models_bad"],
        cwd=service,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1 and "svc_models_bad.Visit.page" in done.stdout


def test_import_gdprkit_imports_no_framework() -> None:
    code = textwrap.dedent(
        """
        import dataclasses, sys
        from typing import Annotated
        import gdprkit as gk, gdprkit.testing

        @gk.personal_data(subject="customer")
        @dataclasses.dataclass
        class M:
            email: Annotated[str, gk.Personal(category="contact.email", purposes=("crm",))]

        gk.check_classified(M)
        gk.project(M("a@b.se"), "crm")
        print(sorted(m for m in ("pydantic", "sqlalchemy") if m in sys.modules))
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(("module", "library", "extra"), [
    ("gdprkit.sqlalchemy", "sqlalchemy", "gdprkit[sqlalchemy]"),
    ("gdprkit.pydantic", "pydantic", "gdprkit[pydantic]"),
])  # fmt: skip
def test_an_integration_without_its_library_names_the_extra(
    module: str, library: str, extra: str
) -> None:
    code = textwrap.dedent(
        f"""
        import sys
        sys.modules[{library!r}] = None  # as if it were not installed
        try:
            import {module}
        except ImportError as error:
            print(error.name, "|", error)
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    name, message = done.stdout.strip().split(" | ")
    assert name == library and extra in message


def test_a_plugin_that_cannot_load_leaves_the_other_models_working(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from gdprkit._tagging import models as _models

    # "json" is imported, so its plugin is tried; the module does not exist
    monkeypatch.setattr(_models, "_PLUGINS", (("json", "gdprkit.no_such_integration"),))
    monkeypatch.setattr(_models, "_BROKEN", {})
    assert gk.check_classified(AttrsDone).ok
    with pytest.raises(gk.NotTagged, match="no_such_integration"):
        gk.check_classified(Path)
