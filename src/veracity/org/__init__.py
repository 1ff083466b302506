"""Staff facts: the staff roles, the departments with their heads, and the staff profiles
(where a user works, and for channel staff their sales channel).

The bottom of the apps: it imports Django, ``veracity.core`` and ``veracity.db`` only, so
every app above (audit, notify, access, …) may ask who someone is without a cycle."""
