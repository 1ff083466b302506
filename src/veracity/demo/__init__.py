"""The embedded demo: a synthetic book (:mod:`.generator`, pure Python, deterministic), the
demo logins and their organisation (:mod:`.accounts`), and problem items walked through their
stages (:mod:`.cases`). The top layer: it may import any app, and no app imports it."""
