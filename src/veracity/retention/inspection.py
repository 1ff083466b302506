"""The checks of the half-yearly archive inspection (D4.14–D4.16), digitally.

The regulation asks for a full inspection of how customer files are kept — faded ink,
damaged material, damp — every half year, recorded. Here that is:

- **chain integrity**: the audit trail's hash chain verifies end to end (``audit_verify``);
- **encryption coverage**: every ``EncryptedTextField`` column of every table, history
  tables included, holds only ciphertext (``v1:<known key id>:<base64>``); values that do
  not parse, or name a key the keyring does not hold, are counted (set-based, in SQL), and
  a sample of the newest values per column is decrypted to catch tokens that no longer
  authenticate (copied between columns, tampered);
- **files**: every file field of every model (history included) against the files under
  ``MEDIA_ROOT`` — files no record refers to, and records whose file is missing;
- **evidence** of problem-item investigations (D1.13): sealed files under ``var/evidence``
  no record refers to, records whose file is missing, and files not sealed;
- **borrowing** (D4.19–D4.20): loans still open, and loans past their end and not returned.

Each check returns plain JSON-able data (ids, counts, names of tables; never a personal
data value); ``findings`` sums up what needs repair, each with a code and a message in
Chinese and English.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from simple_history.models import HistoricalChanges

from veracity.access.models import AccessGrant
from veracity.audit.services import audit_verify
from veracity.cases.models import Evidence
from veracity.cases.services import evidence_dir
from veracity.core.crypto import DecryptionError, parse_keyring
from veracity.db.fields import EncryptedTextField, field_crypto

SAMPLE_PER_COLUMN = 200
LISTED = 50  # rows listed per finding; the counts are complete
_SAFE_KEY_ID = re.compile(r"^[A-Za-z0-9-]+$")


def inspection_period(day: date) -> str:
    """``2026-H1`` (January–June) or ``2026-H2`` (July–December)."""
    return f"{day.year}-H{1 if day.month <= 6 else 2}"


def previous_period(day: date) -> str:
    """The half-year before the one ``day`` falls in."""
    return f"{day.year}-H1" if day.month > 6 else f"{day.year - 1}-H2"


def inspection_results() -> dict[str, Any]:
    chain = check_chain()
    encryption = check_encryption()
    files = check_files(file_fields())
    evidence = check_evidence()
    loans = check_loans()
    return {
        "chain": chain,
        "encryption": encryption,
        "files": files,
        "evidence": evidence,
        "loans": loans,
        "findings": findings(chain, encryption, files, loans, evidence),
    }


def findings(
    chain: dict[str, Any],
    encryption: dict[str, Any],
    files: dict[str, Any],
    loans: dict[str, Any],
    evidence: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def add(code: str, count: int, zh: str, en: str) -> None:
        if count:
            out.append({"code": code, "count": count, "message_zh": zh, "message_en": en})

    add(
        "CHAIN_BROKEN",
        0 if chain["ok"] else max(1, len(chain["problems"])),
        "审计链校验失败：审计记录被改动、插入或删除，须从备份恢复并调查",
        "the audit chain does not verify: events were altered, inserted or deleted; "
        "restore from backup and investigate",
    )
    n = encryption["not_ciphertext"]
    add(
        "NOT_ENCRYPTED",
        n,
        f"{n}个加密字段值不是密文（明文或格式错误），须重新加密",
        f"{n} values of encrypted fields are not ciphertext (plain text or malformed); "
        "re-encrypt them",
    )
    n = encryption["unknown_key"]
    add(
        "UNKNOWN_KEY",
        n,
        f"{n}个加密值使用的密钥不在密钥环中，无法解密",
        f"{n} encrypted values name a key the keyring does not hold; they cannot be read",
    )
    n = encryption["sample_undecryptable"]
    add(
        "UNDECRYPTABLE",
        n,
        f"抽样中{n}个密文无法通过校验（被篡改或被复制到其他字段）",
        f"{n} sampled ciphertexts do not authenticate (tampered or copied between columns)",
    )
    n = files["orphaned"]
    add(
        "ORPHANED_FILES",
        n,
        f"{n}个文件没有任何记录引用，须核查后归档或销毁",
        f"{n} files are referred to by no record; check, then file or destroy them",
    )
    n = files["missing"]
    add(
        "MISSING_FILES",
        n,
        f"{n}条记录引用的文件不存在，须从备份恢复",
        f"{n} records refer to a file that is missing; restore it from backup",
    )
    n = loans["overdue"]
    add(
        "OVERDUE_LOANS",
        n,
        f"{n}笔借阅已超期未归还",
        f"{n} loans are past their end and not returned",
    )
    evidence = evidence or {}
    n = evidence.get("orphaned", 0)
    add(
        "EVIDENCE_ORPHANED",
        n,
        f"{n}个证明材料文件没有记录引用，须核查后归档或销毁",
        f"{n} evidence files are referred to by no record; check, then file or destroy them",
    )
    n = evidence.get("missing", 0)
    add(
        "EVIDENCE_MISSING",
        n,
        f"{n}条证明材料记录的文件不存在，须从备份恢复",
        f"{n} evidence records refer to a file that is missing; restore it from backup",
    )
    n = evidence.get("unsealed", 0)
    add(
        "EVIDENCE_UNSEALED",
        n,
        f"{n}个证明材料文件未加密",
        f"{n} evidence files are not sealed (encrypted)",
    )
    return out


# --- evidence ----------------------------------------------------------------------------------


def check_evidence() -> dict[str, Any]:
    """The evidence folder against the evidence records (names only, never contents)."""

    folder = evidence_dir()
    on_disk = {p.name for p in folder.iterdir() if p.is_file()}
    recorded = set(Evidence.objects.values_list("stored_as", flat=True))
    unsealed = 0
    for name in sorted(on_disk & recorded):
        with (folder / name).open("rb") as fh:
            unsealed += fh.read(3) != b"v1:"
    return {
        "files": len(on_disk),
        "records": len(recorded),
        "orphaned": len(on_disk - recorded),
        "orphaned_files": sorted(on_disk - recorded)[:LISTED],
        "missing": len(recorded - on_disk),
        "missing_files": sorted(recorded - on_disk)[:LISTED],
        "unsealed": unsealed,
    }


# --- chain -------------------------------------------------------------------------------------


def check_chain() -> dict[str, Any]:
    report = audit_verify()
    return {
        "ok": report.ok,
        "events": report.events,
        "head_seq": report.head_seq,
        "head_hash": report.head_hash,
        "problems": list(report.problems)[:LISTED],
    }


# --- encryption --------------------------------------------------------------------------------


def encrypted_columns() -> list[tuple[type[models.Model], EncryptedTextField]]:
    """Every encrypted column of every table (history tables included), once per table."""
    seen: set[tuple[str, str]] = set()
    out = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        for field in meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                key = (meta.db_table, str(field.column))
                if key not in seen:
                    seen.add(key)
                    out.append((model, field))
    return out


def _token_pattern(key_ids: Iterable[str] | None) -> str:
    if key_ids is None:
        keys = "[^:]+"
    else:
        safe = [k for k in key_ids if _SAFE_KEY_ID.match(k)]
        keys = "(" + "|".join(safe) + ")" if safe else "[^:]+"
    # 12-byte nonce + 16-byte tag at least: 28 bytes, 40 base64 characters with padding
    return f"^v1:{keys}:[A-Za-z0-9_-]{{38,}}={{0,2}}$"


def _count_not_matching(table: str, column: str, pattern: str) -> int:
    # Django's own regex operator of the backend ("~ %s" on PostgreSQL, "REGEXP %s" on SQLite)
    regex = connection.operators["regex"] % "%s"  # type: ignore[attr-defined]
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {q(table)} WHERE {q(column)} IS NOT NULL "  # noqa: S608
            f"AND {q(column)} <> '' AND NOT ({q(column)} {regex})",
            [pattern],
        )
        return int(cursor.fetchone()[0])


def check_encryption(*, sample: int = SAMPLE_PER_COLUMN) -> dict[str, Any]:
    crypto = field_crypto()
    known = list(parse_keyring(settings.VERACITY_FIELD_KEYS))
    generic, with_keys = _token_pattern(None), _token_pattern(known)
    q = connection.ops.quote_name
    columns = []
    totals = {"values": 0, "not_ciphertext": 0, "unknown_key": 0, "sample_undecryptable": 0}
    for model, field in encrypted_columns():
        table, column = model._meta.db_table, str(field.column)
        pk = str(model._meta.pk.column)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM {q(table)} "  # noqa: S608
                f"WHERE {q(column)} IS NOT NULL AND {q(column)} <> ''"
            )
            values = int(cursor.fetchone()[0])
            not_ciphertext = _count_not_matching(table, column, generic) if values else 0
            unknown_key = (
                _count_not_matching(table, column, with_keys) - not_ciphertext if values else 0
            )
            cursor.execute(
                f"SELECT {q(column)} FROM {q(table)} "  # noqa: S608
                f"WHERE {q(column)} IS NOT NULL AND {q(column)} <> '' "
                f"ORDER BY {q(pk)} DESC LIMIT %s",
                [sample],
            )
            sampled = [row[0] for row in cursor.fetchall()]
        undecryptable = 0
        for token in sampled:
            try:
                crypto.decrypt(token, aad=field.aad)
            except (DecryptionError, UnicodeDecodeError):
                undecryptable += 1
        row: dict[str, Any] = {
            "table": table,
            "column": column,
            "values": values,
            "not_ciphertext": not_ciphertext,
            "unknown_key": unknown_key,
            "sampled": len(sampled),
            "sample_undecryptable": undecryptable,
        }
        columns.append(row)
        for key in totals:
            totals[key] += row[key]
    return {"columns": columns, **totals}


# --- files ---------------------------------------------------------------------------------------


def file_fields() -> list[tuple[type[models.Model], models.FileField]]:
    """Every file field of every model (image fields too), history models included."""
    out = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                out.append((model, field))
    return out


def _is_history(model: type[models.Model]) -> bool:
    return issubclass(model, HistoricalChanges)


def check_files(
    fields: Sequence[tuple[type[models.Model], models.FileField]],
    *,
    media_root: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Files under the media root no record refers to, and records whose file is missing.
    A file named only by a history row is referred to (an earlier version of a record)."""
    root = media_root if media_root is not None else settings.MEDIA_ROOT
    referenced: set[str] = set()
    missing: list[dict[str, Any]] = []
    missing_count = 0
    for model, field in fields:
        pk = model._meta.pk.attname
        rows = (
            model._default_manager.exclude(**{f"{field.attname}__isnull": True})
            .exclude(**{field.attname: ""})
            .values_list(pk, field.attname)
        )
        live = not _is_history(model)
        for key, name in rows.iterator(chunk_size=2000):
            referenced.add(str(name))
            if live and not field.storage.exists(str(name)):
                missing_count += 1
                if len(missing) < LISTED:
                    missing.append({"model": model._meta.label, "id": key, "field": field.name})
    orphans: list[str] = []
    orphan_count, scanned = 0, 0
    if root and Path(root).is_dir():
        base = Path(root)
        for directory, _dirs, names in os.walk(base):
            for name in names:
                scanned += 1
                relative = (Path(directory) / name).relative_to(base).as_posix()
                if relative not in referenced:
                    orphan_count += 1
                    if len(orphans) < LISTED:
                        orphans.append(relative)
    return {
        "media_root": str(root) if root else None,
        "scanned": scanned,
        "file_fields": [f"{m._meta.label}.{f.name}" for m, f in fields],
        "referenced": len(referenced),
        "orphaned": orphan_count,
        "orphaned_files": orphans,
        "missing": missing_count,
        "missing_records": missing,
    }


# --- borrowing ---------------------------------------------------------------------------------


def check_loans() -> dict[str, Any]:
    """Open loans (neither returned nor expired) and overdue ones (end passed, not returned)."""
    now = timezone.now()
    open_loans = AccessGrant.objects.filter(returned_at__isnull=True, expired_at__isnull=True)
    overdue = AccessGrant.objects.filter(returned_at__isnull=True, ends_at__lt=now)
    listed = [
        {
            "grant": grant.pk,
            "holder": grant.holder.get_username(),
            "customer": grant.customer_id,
            "ends_at": grant.ends_at.isoformat(),
            "days_overdue": (now - grant.ends_at).days,
        }
        for grant in overdue.select_related("holder").order_by("ends_at")[:LISTED]
    ]
    return {
        "open": open_loans.count(),
        "overdue": overdue.count(),
        "overdue_loans": listed,
    }
