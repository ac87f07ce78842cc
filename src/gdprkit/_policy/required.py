"""Why each required part of a policy file is required: what it declares, and the article.

A policy that lacks a required part fails to load with a message naming the
key; where the part comes from the law, the message names the article too
(``controller.email: is required: the controller's contact details (Art.
13(1)(a), 30(1)(a))``), so the author sees which duty the key meets. Parts
that are required only for gdprkit's own working (a purpose's ``id`` in the
array form, a category's label) keep the plain "is required".
"""

from __future__ import annotations

from typing import Final

#: [controller], its name, e-mail and address: Art. 13(1)(a) (the notice), 30(1)(a) (the record).
CONTROLLER: Final = "the controller's identity and contact details (Art. 13(1)(a), 30(1)(a))"

#: [authority], its name and website: where a complaint goes (Art. 77), which the notice
#: (Art. 13(2)(d)) and every access answer (Art. 15(1)(f)) must name.
AUTHORITY: Final = (
    "the supervisory authority a data subject may complain to (Art. 13(2)(d), 15(1)(f), 77)"
)

#: [subjects] and each kind's name: the categories of data subjects of the record (Art. 30(1)(c)).
SUBJECTS: Final = "the categories of data subjects (Art. 30(1)(c))"

#: [purposes] and each purpose's name and description (Art. 13(1)(c), 15(1)(a), 30(1)(b)).
PURPOSES: Final = "the purposes of the processing (Art. 13(1)(c), 15(1)(a), 30(1)(b))"

#: A recipient's name: who the data is disclosed to (Art. 13(1)(e), 15(1)(c), 30(1)(d)).
RECIPIENT: Final = "the recipient or category of recipients (Art. 13(1)(e), 15(1)(c), 30(1)(d))"

#: [rights] and its contact: where data subjects exercise their rights (Art. 12(2), 13(2)(b)).
RIGHTS: Final = "where data subjects exercise their rights (Art. 12(2), 13(2)(b))"

#: The statement on automated decisions, made even when there are none (Art. 13(2)(f), 15(1)(h)).
AUTOMATED_DECISIONS: Final = (
    "the statement on automated decision-making and profiling, even when there is none "
    "(Art. 13(2)(f), 15(1)(h), 22)"
)

#: The policy's version: consent records name the notice version they were given under
#: (Art. 7(1): the controller must be able to show what the subject consented to).
VERSION: Final = "the version consent records and export packages name (Art. 7(1))"

#: The time zone: Art. 12(3) deadlines count from the local date of receipt (Reg. 1182/71).
TIMEZONE: Final = (
    "the time zone deadlines and retention ends are counted in (Art. 12(3); Regulation 1182/71)"
)

#: A cookie's name, purpose and description: clear and complete information about the
#: storage and its purpose (LEK (2022:482) 9 kap. 28 §; ePrivacy Directive Art. 5(3)).
COOKIE: Final = "clear and complete information about the cookie (LEK (2022:482) 9 kap. 28 §)"

#: Who sets a cookie and how long it lives: the information includes the cookie's
#: duration and whether third parties can read it (CJEU C-673/17 Planet49, operative part 2).
COOKIE_PROVIDER: Final = (
    "who sets the cookie, so the user knows whether a third party can read it "
    "(LEK (2022:482) 9 kap. 28 §; CJEU C-673/17 Planet49)"
)
COOKIE_LIFETIME: Final = (
    "how long the cookie lives (LEK (2022:482) 9 kap. 28 §; CJEU C-673/17 Planet49)"
)
