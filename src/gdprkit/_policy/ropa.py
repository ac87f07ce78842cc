"""The Art. 30(1) record of processing activities, built from a policy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from gdprkit._policy.values import PolicyView, Purpose


@attrs.frozen
class ProcessingActivity:
    """One activity of the Art. 30(1) record: items (b)-(g) for one purpose."""

    purpose_id: str
    purposes: str
    data_subjects: tuple[str, ...]
    data_categories: tuple[str, ...]
    recipients: tuple[str, ...]
    transfers: tuple[str, ...]
    erasure_time_limit: str | None
    security_measures: str | None
    legal_basis: str

    def to_dict(self) -> dict[str, Any]:
        """The activity as JSON-ready data, keyed by Art. 30(1) item."""
        return {
            "purpose_id": self.purpose_id,
            "b_purposes": self.purposes,
            "c_data_subjects": list(self.data_subjects),
            "c_data_categories": list(self.data_categories),
            "d_recipients": list(self.recipients),
            "e_transfers": list(self.transfers),
            "f_erasure_time_limit": self.erasure_time_limit,
            "g_security_measures": self.security_measures,
            "legal_basis_not_art30": self.legal_basis,
        }


@attrs.frozen
class RecordOfProcessing:
    """The record of processing activities of GDPR Art. 30(1), items (a)-(g).

    The legal basis is carried along as extra information; it is an Art. 13
    item, not an Art. 30(1) one. Items (f) and (g) are required only "where
    possible": their absence is a warning, not an error.
    """

    controller: dict[str, str | None]
    activities: tuple[ProcessingActivity, ...]
    warnings: tuple[str, ...]
    lang: str = "en"

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-ready data."""
        return {
            "article": "GDPR Art. 30(1)",
            "a_controller": self.controller,
            "activities": [a.to_dict() for a in self.activities],
            "warnings": list(self.warnings),
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """The record as JSON text."""
        import json  # here, not at the top: ``import gdprkit`` loads this module

        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    def to_markdown(self) -> str:
        """The record as a Markdown document, one section per activity."""
        sv = self.lang == "sv"
        c = self.controller
        lines = [
            "# " + ("Register över behandlingar (artikel 30.1)" if sv else
                    "Record of processing activities (Art. 30(1))"),
            "",
            "## " + ("a) Personuppgiftsansvarig" if sv else "(a) Controller"),
            "",
        ]  # fmt: skip
        for key in ("name", "org_number", "address", "email", "phone", "dpo"):
            if c.get(key):
                lines.append(f"- {key}: {c[key]}")
        for act in self.activities:
            none = "–"
            lines += [
                "",
                f"## {act.purposes}",
                "",
                f"- (b) {'Ändamål' if sv else 'Purpose'}: {act.purposes}",
                f"- (c) {'Registrerade' if sv else 'Data subjects'}: "
                + (", ".join(act.data_subjects) or none),
                f"- (c) {'Personuppgifter' if sv else 'Personal data'}: "
                + (", ".join(act.data_categories) or none),
                f"- (d) {'Mottagare' if sv else 'Recipients'}: "
                + (", ".join(act.recipients) or none),
                f"- (e) {'Överföringar till tredjeland' if sv else 'Third-country transfers'}: "
                + (", ".join(act.transfers) or ("inga" if sv else "none")),
                f"- (f) {'Tidsfrister för radering' if sv else 'Time limits for erasure'}: "
                + (act.erasure_time_limit or none),
                f"- (g) {'Säkerhetsåtgärder' if sv else 'Security measures'}: "
                + (act.security_measures or none),
                f"- {'Rättslig grund (artikel 6, inte en punkt i artikel 30)' if sv else 'Legal basis (Art. 6; not an Art. 30 item)'}: "
                + act.legal_basis,
            ]
        if self.warnings:
            lines += ["", "## " + ("Varningar" if sv else "Warnings"), ""]
            lines += [f"- {w}" for w in self.warnings]
        return "\n".join(lines) + "\n"


def record_of_processing(policy: PolicyView, lang: str = "en") -> RecordOfProcessing:
    """Build the Art. 30(1) record from a policy."""
    c = policy.controller
    controller = {
        "name": c.name,
        "org_number": c.org_number,
        "address": c.address,
        "email": c.email,
        "phone": c.phone,
        "dpo": c.dpo,
    }
    warnings = []
    security = policy.security_measures.get(lang) if policy.security_measures else None
    if security is None:
        warnings.append(
            "Art. 30(1)(g): no description of security measures (required where possible)"
        )
    activities = []
    for p in policy.purposes.values():
        recipients = [policy.recipients[r] for r in p.recipients]
        limit = p.retention_words(lang)
        if limit is None:
            warnings.append(
                f"Art. 30(1)(f): purpose {p.id!r} has no time limit for erasure "
                "(required where possible)"
            )
        activities.append(
            ProcessingActivity(
                purpose_id=p.id,
                purposes=p.name.get(lang),
                data_subjects=tuple(policy.subjects[s].name.get(lang) for s in p.subjects),
                data_categories=tuple(
                    policy.taxonomy[str(cat)].label(lang) for cat in p.categories
                ),
                recipients=tuple(r.name.get(lang) for r in recipients),
                transfers=tuple(
                    f"{r.name.get(lang)} ({r.country}; {r.safeguards})"
                    for r in recipients
                    if r.third_country
                ),
                erasure_time_limit=limit,
                security_measures=security,
                legal_basis=basis_words(p, lang),
            )
        )
    return RecordOfProcessing(controller, tuple(activities), tuple(warnings), lang)


def basis_words(p: Purpose, lang: str) -> str:
    """The purpose's legal basis in words, with its article, law and Art. 9(2) condition."""
    words = f"{p.basis.label(lang)} ({'artikel' if lang == 'sv' else 'Art.'} {p.basis.article})"
    if p.legal_reference:
        words += f"; {p.legal_reference}"
    if p.special_condition is not None:
        words += f"; Art. {p.special_condition.article}"
    return words
