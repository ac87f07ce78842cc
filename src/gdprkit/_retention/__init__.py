"""The machinery behind :mod:`gdprkit.retention`, one idea per module.

``rules`` (the rule values and legal holds) and ``mapping`` (their
policy-file form) import nothing above :mod:`gdprkit.vocab` and
:mod:`gdprkit.timecalc`, so that :mod:`gdprkit.policy` can use them.
``expiry``, ``cutoff``, ``sweep`` and ``objects`` decide with them; only
``objects`` reads policies and tagged classes.
"""
