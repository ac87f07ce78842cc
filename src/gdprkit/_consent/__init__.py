"""The machinery of :mod:`gdprkit.consent`, one idea per module.

``records`` (consent records, states and statuses, and their DPV form),
``indication`` (how consent was indicated: only an affirmative act is
consent, Art. 4(11)), ``base`` (what the ledger's parts share), ``history``
and ``consents`` (consent, Art. 7), ``objections`` (Art. 21, as decisions),
``scope`` (what a restriction covers) and ``restrictions`` (Art. 18),
``guard`` (the ``project()`` guard), ``cookies`` (LEK 9 kap. 28 §),
``evidence`` (purging old consent evidence) and ``ledger`` (the public
:class:`Ledger` built from those parts). Import from :mod:`gdprkit.consent`,
not from here.
"""
