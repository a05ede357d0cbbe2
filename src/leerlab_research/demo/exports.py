"""Write the simulated rows in the four export layouts (see survey-formats.md §1).

Each writer returns the file's bytes (the SPSS writer patches a file on disk,
because pyreadstat only writes to a path), so that the caller can write them
atomically and so that determinism is easy to reason about: nothing here reads
the clock, the locale or the output path.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..config.codebook import Codebook
from ..config.labs import FOCUS_AREAS
from ..outputs import workbook_bytes
from .params import ROLES, SCHOOL_TYPES
from .simulate import BLANK, NOT_SHOWN

# Fixed metadata for the xlsx (openpyxl would otherwise stamp the current time).
XLSX_TIMESTAMP = dt.datetime(2025, 4, 1, 9, 0, 0)
XLSX_AUTHOR = "Microsoft Forms"


def _item_labels(codebook: Codebook, item: str) -> dict[int, str]:
    vs = codebook.value_set_of(item)
    labels = {code: text.nl for code, text in vs.labels.items()}
    labels.update({code: m.label.nl for code, m in vs.missing.items()})
    return labels


def _alternative_labels(codebook: Codebook, item: str) -> dict[int, str]:
    """The 'mee eens' wording a form owner switches to: first codebook alias with 'mee', else the first."""
    vs = codebook.value_set_of(item)
    labels = _item_labels(codebook, item)
    for code, aliases in vs.aliases.items():
        preferred = [a for a in aliases if "mee" in a.lower()]
        if preferred or aliases:
            labels[code] = (preferred or aliases)[0]
    for code, m in vs.missing.items():
        if m.aliases:
            labels[code] = m.aliases[0]
    return labels


def limesurvey_item_columns(codebook: Codebook) -> dict[str, str]:
    """Item code → LimeSurvey array heading: the n-th item of scale AMB is ``AMB[SQ00n]``."""
    return {
        item: f"{scale.code}[SQ{i:03d}]"
        for scale in codebook.scales.values()
        for i, item in enumerate(scale.items, start=1)
    }


# ----------------------------------------------------------------------------- LimeSurvey
def _ls_field(value: str | None) -> str:
    """LimeSurvey CsvWriter: NULL → unquoted empty, anything else → double-quoted."""
    if value is None:
        return ""
    return '"' + value.replace('"', '""') + '"'


def _ls_time(values: pd.Series) -> list[str | None]:
    return [None if pd.isna(v) else v.strftime("%Y-%m-%d %H:%M:%S") for v in values]


def limesurvey_csv(
    rows: pd.DataFrame, codes: np.ndarray, codebook: Codebook, n_pages: int
) -> bytes:
    """A LimeSurvey 'CSV, code headings, answer codes' export.

    UTF-8 with BOM, every non-null value double-quoted, CRLF records plus one
    extra CRLF at the end. Questions the respondent never saw (pages after
    ``lastpage``, or everything after consent = N) are NULL; shown but
    unanswered questions are ``""``.
    """
    item_cols = list(limesurvey_item_columns(codebook).values())
    header = [
        "id", "submitdate", "lastpage", "startlanguage", "seed", "token", "startdate", "datestamp",
        "ipaddr", "lab", "schooltype", "rol", "consent",
        *(f"focus[{a}]" for a in FOCUS_AREAS), *item_cols, "open_goed", "open_beter",
    ]  # fmt: skip
    n = len(rows)
    completed = rows["submit"].notna().to_numpy() & rows["consent"].to_numpy()
    cols: list[list[str | None]] = [
        [str(i) for i in range(1, n + 1)],
        _ls_time(rows["submit"]),
        rows["lastpage"].astype(str).tolist(),
        rows["startlanguage"].tolist(),
        rows["ls_seed"].astype(str).tolist(),
        rows["key"].tolist(),
        _ls_time(rows["start"]),
        _ls_time(rows["last_action"]),
        rows["ipaddr"].tolist(),
        rows["lab_written"].tolist(),
        rows["school_type"].tolist(),
        rows["role"].tolist(),
        np.where(rows["consent"], "Y", "N").tolist(),
    ]
    shown = rows["focus_shown"].to_numpy()
    for area in FOCUS_AREAS:
        ticked = np.where(rows[f"focus_{area}"], "Y", "")
        cols.append([t if s else None for t, s in zip(ticked, shown, strict=True)])
    text = codes.astype(str).astype(object)
    text[codes == BLANK] = ""
    text[codes == NOT_SHOWN] = None
    cols.extend(text.T.tolist())
    for field in ("open_goed", "open_beter"):
        cols.append([v if c else None for v, c in zip(rows[field], completed, strict=True)])

    records = [",".join(_ls_field(h) for h in header)]
    records += [",".join(_ls_field(v) for v in record) for record in zip(*cols, strict=True)]
    return ("\ufeff" + "\r\n".join(records) + "\r\n\r\n").encode("utf-8")


# ----------------------------------------------------------------------------- MS Forms
def msforms_label_switch(rows: pd.DataFrame) -> pd.Timestamp:
    """When the form owner edited the answer labels: the start time of the row at 70 %."""
    starts = rows["start"].sort_values().reset_index(drop=True)
    return starts.iloc[int(0.7 * (len(starts) - 1))]


def msforms_xlsx(rows: pd.DataFrame, codes: np.ndarray, codebook: Codebook) -> bytes:
    """A Microsoft Forms 'Open in Excel' workbook: question text headers, label answers.

    Answers use the codebook labels ('Helemaal oneens' … 'Weet niet / n.v.t.') until
    :func:`msforms_label_switch`, after which the form owner's edited wording
    ('Helemaal mee oneens', 'Mee oneens', …, 'Weet niet') appears, as happens
    when a form is changed during field work.
    """
    from openpyxl import Workbook

    items = codebook.item_codes
    header = [
        "ID", "Start time", "Completion time", "Email", "Name", "Last modified time",
        "Leerlab", "Schooltype", "Rol", "Toestemming",
        *(f"Focus: {a}" for a in FOCUS_AREAS),
        *(codebook.items[i].text.nl for i in items),
        "Wat gaat goed?", "Wat kan beter?",
    ]  # fmt: skip
    school_label = {"vmbo": "vmbo", "mbo": "mbo", "anders": "Anders"}
    std = [_item_labels(codebook, i) for i in items]
    alt = [_alternative_labels(codebook, i) for i in items]
    switch = msforms_label_switch(rows)

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(header)
    for pos, (r, row_codes) in enumerate(zip(rows.itertuples(index=False), codes, strict=True)):
        labels = alt if r.start >= switch else std
        answers = [
            None if c in (BLANK, NOT_SHOWN) else labels[j][int(c)] for j, c in enumerate(row_codes)
        ]
        focus = [
            ("Ja" if getattr(r, f"focus_{a}") else "Nee") if r.focus_shown else None
            for a in FOCUS_AREAS
        ]
        ws.append(
            [
                pos + 1,
                r.start.to_pydatetime(),
                None if pd.isna(r.submit) else r.submit.to_pydatetime(),
                r.key,
                r.name,
                None,
                r.lab_written,
                school_label[r.school_type],
                r.role.capitalize(),
                "Ja" if r.consent else "Nee",
                *focus,
                *answers,
                r.open_goed or None,
                r.open_beter or None,
            ]
        )
    for col in ("B", "C", "F"):
        for cell in ws[col][1:]:
            cell.number_format = "m/d/yy h:mm:ss"
    wb.properties.creator = XLSX_AUTHOR
    wb.properties.lastModifiedBy = XLSX_AUTHOR
    return workbook_bytes(wb, XLSX_TIMESTAMP)


# ----------------------------------------------------------------------------- Dutch Excel CSV
def _nl_time(values: pd.Series) -> list[str]:
    return ["" if pd.isna(v) else v.strftime("%d-%m-%Y %H:%M") for v in values]


def excel_nl_csv(rows: pd.DataFrame, codes: np.ndarray, codebook: Codebook) -> bytes:
    """An Excel 'CSV (gescheiden door lijstscheidingsteken)' save on a Dutch Windows PC.

    ``;`` separator, cp1252, CRLF, decimal comma in ``Duur (min)``, dates
    ``dd-mm-jjjj hh:mm``, fields quoted only when they contain ``;``, ``"`` or a
    line break (Excel's behaviour).
    """
    items = codebook.item_codes
    header = [
        "Respondentnummer", "Naam", "E-mail", "Leerlab", "Schooltype", "Rol", "Toestemming",
        "Begonnen op", "Verstuurd op", "Duur (min)", *items, "Wat gaat goed?", "Wat kan beter?",
    ]  # fmt: skip
    duration = ["" if pd.isna(d) else f"{d / 60:.1f}".replace(".", ",") for d in rows["duration_s"]]
    text = codes.astype(str).astype(object)
    text[(codes == BLANK) | (codes == NOT_SHOWN)] = ""
    cols = [
        rows["key"].tolist(),
        rows["name"].tolist(),
        rows["email"].tolist(),
        rows["lab_written"].tolist(),
        rows["school_type"].tolist(),
        rows["role"].tolist(),
        np.where(rows["consent"], "ja", "nee").tolist(),
        _nl_time(rows["start"]),
        _nl_time(rows["submit"]),
        duration,
        *text.T.tolist(),
        rows["open_goed"].tolist(),
        rows["open_beter"].tolist(),
    ]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(zip(*cols, strict=True))
    # strict: a character outside cp1252 is a bug in the generator, not something to hide.
    return buffer.getvalue().encode("cp1252")


# ----------------------------------------------------------------------------- SPSS
_SAV_DATE = slice(92, 101)  # 'dd Mon yy' in the file header record
_SAV_TIME = slice(101, 109)  # 'hh:mm:ss'


def _patch_sav_timestamp(path: Path, when: dt.datetime) -> None:
    """Overwrite the creation date/time in a .sav header written by ReadStat.

    pyreadstat 1.3 offers no way to set the file timestamp (ReadStat stamps
    ``time(NULL)``), so two runs differ in these 17 bytes. The header layout is
    fixed: record type (4), product name (60), five int32 (20), bias (8), then
    creation date (9) and time (8). We check the bytes look like a timestamp
    before patching so that a future layout change fails loudly instead of
    corrupting the file.
    """
    data = bytearray(path.read_bytes())
    if (
        data[:4] != b"$FL2"
        or not re.fullmatch(rb"\d\d [A-Z][a-z]{2} \d\d", bytes(data[_SAV_DATE]))
        or not re.fullmatch(rb"\d\d:\d\d:\d\d", bytes(data[_SAV_TIME]))
    ):
        raise RuntimeError(
            f"unexpected .sav header layout in {path.name}; cannot fix its timestamp"
        )
    months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    data[_SAV_DATE] = f"{when.day:02d} {months[when.month - 1]} {when.year % 100:02d}".encode()
    data[_SAV_TIME] = when.strftime("%H:%M:%S").encode()
    path.write_bytes(bytes(data))


def spss_sav(
    rows: pd.DataFrame, codes: np.ndarray, codebook: Codebook, path: Path, wave: str
) -> None:
    """An SPSS .sav as a researcher would build it: numeric codes with value labels.

    Items are ordinal with labels 1–5 and 9 = 'Weet niet / n.v.t.' declared as a
    user-missing value (``missing_ranges``); blanks are system-missing. The file
    header's creation time is set to 09:00 the day after the last submission.
    """
    import pyreadstat

    items = codebook.item_codes
    values = codes.astype(float)
    values[(codes == BLANK) | (codes == NOT_SHOWN)] = np.nan
    df = pd.DataFrame(
        {
            "respondent_id": rows["key"].to_numpy(dtype=object),
            "naam": rows["name"].to_numpy(dtype=object),
            "email": rows["email"].to_numpy(dtype=object),
            "lab": rows["lab_written"].to_numpy(dtype=object),
            "school_type": rows["school_type"].map(
                {s: i + 1.0 for i, s in enumerate(SCHOOL_TYPES)}
            ),
            "role": rows["role"].map({r: i + 1.0 for i, r in enumerate(ROLES)}),
            "consent": rows["consent"].astype(float),
            "started_at": rows["start"].astype("datetime64[ns]"),
            "submitted_at": rows["submit"].astype("datetime64[ns]"),
        }
    )
    df = pd.concat([df, pd.DataFrame(values, columns=items)], axis=1)
    variables = codebook.variables
    labels: dict[str, str | None] = {
        "respondent_id": variables["respondent_id"].label.nl,
        "naam": "Naam",
        "email": "E-mailadres",
        "lab": variables["lab"].label.nl,
        "school_type": variables["school_type"].label.nl,
        "role": variables["role"].label.nl,
        "consent": variables["consent"].label.nl,
        "started_at": variables["started_at"].label.nl,
        "submitted_at": variables["submitted_at"].label.nl,
        **{i: codebook.items[i].text.nl for i in items},
    }
    value_labels: dict[str, dict[int | float, str]] = {
        "school_type": {i + 1: s for i, s in enumerate(SCHOOL_TYPES)},
        "role": {i + 1: r for i, r in enumerate(ROLES)},
        "consent": {1: "ja", 0: "nee"},
    }
    value_labels.update({i: dict(sorted(_item_labels(codebook, i).items())) for i in items})
    # pyreadstat types missing_ranges as lists of int | float | str | MissingRange
    missing: dict[str, list[Any]] = {i: sorted(codebook.value_set_of(i).missing) for i in items}
    measure = {i: "ordinal" for i in items}
    measure.update(
        {
            v: "nominal"
            for v in ("respondent_id", "naam", "email", "lab", "school_type", "role", "consent")
        }
    )
    measure.update({"started_at": "scale", "submitted_at": "scale"})
    formats = {v: "F1.0" for v in (*items, "school_type", "role", "consent")}
    pyreadstat.write_sav(
        df,
        str(path),
        file_label=f"Reflectie-instrument leerlabs {wave}",
        column_labels=labels,
        variable_value_labels=value_labels,
        missing_ranges=missing,
        variable_measure=measure,
        variable_format=formats,
    )
    last = rows["submit"].max()
    stamp = (last.normalize() + pd.Timedelta(days=1, hours=9)).to_pydatetime()
    _patch_sav_timestamp(path, stamp)


__all__ = [
    "excel_nl_csv",
    "limesurvey_csv",
    "limesurvey_item_columns",
    "msforms_label_switch",
    "msforms_xlsx",
    "spss_sav",
]
