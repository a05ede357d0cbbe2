"""Report sections on the open answers: themes, quotes, the frame, de-identification, agreement.

A mixin of :class:`leerlab_research.report.context.ReportData`. Every method
reads published outputs only: ``compare/open_themes.csv`` and
``compare/open_quotes.csv`` (both through disclosure control in the compare
stage), and for the methods report ``clean/deidentification.csv`` (counts, never
values) and ``coding/agreement.csv``. A quote is never attributed to a role or
school type: the quote table has no such column, and lab × wave cells below
``min_cell`` are blank in the theme table and have no quotes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd

from .. import text as T
from ..config.table_labels import ALL, OUTSIDE
from .tables import memoised

#: Themes listed per question in a lab report.
TOP_THEMES = 5
QUESTIONS = ("goed", "beter")


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~^$])")


def escape_md(text: str) -> str:
    """Respondents' text as literal Markdown: no emphasis, links, HTML or list markers.

    >>> escape_md("<b>Top</b> *echt* [naam]")
    '\\<b\\>Top\\</b\\> \\*echt\\* \\[naam\\]'
    """
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = re.sub(r"^([-+])", r"\\\1", text)  # a list marker
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", text)  # an ordered-list marker: "1\."


def quote_block(quotes: pd.Series) -> str:
    """The quotes of one theme as one indented block, one quote a line, in quotation marks."""
    lines = [f"“{escape_md(str(q))}”" for q in quotes]
    return "> " + "\\\n> ".join(lines) + "\n"


if TYPE_CHECKING:

    class _ReportData(Protocol):
        """What the mixin uses of ``ReportData`` (which imports this module)."""

        out: Path
        lang: str

        @property
        def index(self) -> dict[str, Any]: ...
        @property
        def codebook(self) -> Any: ...
        @property
        def min_cell(self) -> int: ...

        def t(self, key: str, **fields: object) -> str: ...
        def compare_table(self, name: str) -> pd.DataFrame: ...
        def scale_label(self, scale: str) -> str: ...
        def domain_label(self, domain: str) -> str: ...
        def num(self, value: float, decimals: int = 2) -> str: ...
        def interval(self, low: float, high: float, decimals: int = 2) -> str: ...
        def wave_period(self, wave: str) -> str: ...
        def table(self, df: pd.DataFrame, caption: str, label: str) -> str: ...
else:
    _ReportData = object


class OpenAnswersMixin(_ReportData):
    """Open-answer sections, mixed into ``ReportData`` (uses its tables, ``t`` and labels)."""

    # ------------------------------------------------------------------ data
    def _open_table(self, name: str) -> pd.DataFrame:
        if name not in self.index.get("tables", {}):
            return pd.DataFrame()
        return self.compare_table(name)

    @memoised
    def open_themes(self) -> pd.DataFrame:
        """``compare/open_themes.csv`` (empty when the study has no coded open answers)."""
        df = self._open_table("open_themes")
        if not df.empty:
            df["suppressed"] = df["suppressed"].astype(bool)
        return df

    def open_quotes(self) -> pd.DataFrame:
        """``compare/open_quotes.csv`` (empty when there are none)."""
        return self._open_table("open_quotes")

    def has_open_answers(self) -> bool:
        """True when theme counts were published."""
        df = self.open_themes()
        return not df.empty and bool((df["n_mentions"].fillna(0) > 0).any())

    def theme_label(self, theme: str) -> str:
        return self.codebook.coding_frame.themes[theme].label.get(self.lang)

    def _belongs_to(self, condition: object, domain: str) -> str:
        """The condition's label, or the domain's for a theme that spans conditions."""
        if isinstance(condition, str) and condition:
            return self.scale_label(condition)
        return self.domain_label(domain)

    def _question_title(self, question: str) -> str:
        return self.codebook.variables[f"open_{question}"].label.get(self.lang)

    def _msg(self, key: str, **fields: object) -> str:
        return T.msg(key, self.lang, **fields)

    # ------------------------------------------------------------- lab report
    def lab_open_section(self, lab: str, wave: str | None = None) -> str:
        """Per question: the themes mentioned most, and short quotes under each leading theme.

        Every theme and quote names the condition (or domain) it belongs to, so
        the conversation about a condition can start from the lab's own words.
        """
        themes = self.open_themes()
        waves = sorted(themes.loc[themes["lab"] == lab, "wave"].unique()) if len(themes) else []
        if not waves:
            return self._msg("open_none") + "\n"
        wave = wave or waves[-1]
        quotes = self.open_quotes()
        intro = self._msg("open_intro", wave=self.wave_period(wave), min_cell=self.min_cell)
        parts = [intro + " " + self._msg("open_intro_where") + "\n"]
        for question in QUESTIONS:
            parts.append(f"### {self._question_title(question)}\n")
            rows = themes[
                (themes["lab"] == lab) & (themes["wave"] == wave) & (themes["question"] == question)
            ]
            # compare/open_themes decides what is shown (disclosure.py); no rule here
            if rows.empty or rows["suppressed"].all() or rows["n_answers"].fillna(0).max() == 0:
                # the true reason: complementary when no hidden row had too few answers
                reasons = set(rows.loc[rows["suppressed"], "suppression_reason"].astype(str))
                key = (
                    "open_hidden_complementary"
                    if reasons == {"complementary"} and rows["suppressed"].all()
                    else "open_suppressed"
                )
                parts.append(self._msg(key, min_cell=self.min_cell) + "\n")
                continue
            shown = rows[rows["n_mentions"] > 0].sort_values(
                "n_mentions", ascending=False, kind="stable"
            )
            if shown.empty:
                parts.append(self._msg("open_no_theme") + "\n")
                continue
            n_answers = int(rows["n_answers"].iloc[0])
            top = shown.head(TOP_THEMES)
            parts.append(
                self.table(
                    pd.DataFrame(
                        {
                            self.t("open_col_theme"): [self.theme_label(t) for t in top["theme"]],
                            self.t("open_col_condition"): [
                                self._belongs_to(c, d)
                                for c, d in zip(top["condition"], top["domain"], strict=True)
                            ],
                            self.t("open_col_mentions"): [
                                f"{int(n)} / {n_answers}" for n in top["n_mentions"]
                            ],
                        }
                    ),
                    self._msg("cap_open_lab", question=self._question_title(question)),
                    f"open-{question}",
                )
            )
            if quotes.empty:
                continue
            q = quotes[
                (quotes["lab"] == lab) & (quotes["wave"] == wave) & (quotes["question"] == question)
            ]
            # quotes on a condition's theme stand in that condition's section
            # (condition_quotes); here only those on themes that span a domain
            q = q[q["condition"].fillna("").astype(str) == ""]
            for _rank, group in q.sort_values(["rank", "quote_no"]).groupby("rank", sort=True):
                first = group.iloc[0]
                where = self._belongs_to(first["condition"], first["domain"])
                parts.append(f"**{self.theme_label(first['theme'])}** · *{where}*\n")
                parts.append(quote_block(group["quote"]))
        return "\n".join(parts)

    @memoised
    def open_wave(self, lab: str) -> str | None:
        """The latest wave with published theme counts for the lab (None when there is none)."""
        themes = self.open_themes()
        if themes.empty:
            return None
        waves = themes.loc[(themes["lab"] == lab) & ~themes["suppressed"], "wave"].unique()
        return sorted(waves)[-1] if len(waves) else None

    @memoised
    def _lab_open_rows(self, lab: str, wave: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The lab's shown themes (mentioned at least once) and its quotes in ``wave``.

        Each of the nine condition sections takes its rows from these, instead of
        filtering the whole programme's tables again.
        """
        themes = self.open_themes()
        if not themes.empty:
            themes = themes[
                (themes["lab"] == lab)
                & (themes["wave"] == wave)
                & ~themes["suppressed"]
                & (themes["n_mentions"].fillna(0) > 0)
            ]
        quotes = self.open_quotes()
        if not quotes.empty:
            quotes = quotes[(quotes["lab"] == lab) & (quotes["wave"] == wave)]
        return themes, quotes

    def condition_quotes(self, lab: str, scale: str, wave: str | None = None) -> str:
        """The lab's own words on one condition, for that condition's section.

        Per question: the themes of this condition the lab mentioned, with how many
        of its answers mention them, and the published quotes under those themes
        (never attributed to a role or school type; ``compare/open_themes`` decided
        what may be shown). Empty when there is nothing, so a condition section can
        always append it.
        """
        wave = wave or self.open_wave(lab)
        if wave is None:
            return ""
        themes, quotes = self._lab_open_rows(lab, wave)
        if themes.empty:
            return ""
        mine = themes[themes["condition"] == scale]
        if mine.empty:
            return ""
        parts = [f"**{self._msg('open_condition_quotes', wave=self.wave_period(wave))}**\n"]
        for question in QUESTIONS:
            rows = mine[mine["question"] == question].sort_values(
                ["n_mentions", "theme"], ascending=[False, True], kind="stable"
            )
            for _, r in rows.iterrows():
                parts.append(
                    self._msg(
                        "open_condition_theme",
                        question=self._question_title(question),
                        theme=self.theme_label(r["theme"]),
                        n=int(r["n_mentions"]),
                        total=int(r["n_answers"]),
                    )
                    + "\n"
                )
                if quotes.empty:
                    continue
                q = quotes[(quotes["question"] == question) & (quotes["theme"] == r["theme"])]
                if len(q):
                    parts.append(quote_block(q.sort_values("quote_no")["quote"]))
        return "\n".join(parts)

    # ------------------------------------------------------- programme report
    def programme_open_section(self, wave: str | None = None) -> str:
        """Themes across the labs by domain, for goed and beter."""
        themes = self.open_themes()
        if themes.empty:
            return self._msg("open_none") + "\n"
        wave = wave or sorted(themes["wave"].unique())[-1]
        prog = themes[(themes["lab"] == ALL) & (themes["wave"] == wave)]
        # labs only: buiten_scholen (respondents of neither school) is no lab
        labs = themes[
            ~themes["lab"].isin([ALL, OUTSIDE]) & (themes["wave"] == wave) & ~themes["suppressed"]
        ]
        n_labs = labs[labs["n_mentions"] > 0].groupby("theme")["lab"].nunique()
        parts = [self._msg("open_programme_intro", wave=self.wave_period(wave)) + "\n"]
        for question in QUESTIONS:
            parts.append(f"### {self._question_title(question)}\n")
            rows = prog[prog["question"] == question]
            for domain in self.codebook.domains:
                sub = rows[rows["domain"] == domain].sort_values(
                    "n_mentions", ascending=False, kind="stable"
                )
                if sub.empty:
                    continue
                table = pd.DataFrame(
                    {
                        self.t("open_col_theme"): [self.theme_label(t) for t in sub["theme"]],
                        self.t("open_col_condition"): [
                            self._belongs_to(c, d)
                            for c, d in zip(sub["condition"], sub["domain"], strict=True)
                        ],
                        self.t("open_col_mentions"): [
                            f"{int(n)} / {int(a)}"
                            for n, a in zip(sub["n_mentions"], sub["n_answers"], strict=True)
                        ],
                        self.t("open_col_labs"): [str(int(n_labs.get(t, 0))) for t in sub["theme"]],
                    }
                )
                caption = self._msg(
                    "cap_open_programme",
                    question=self._question_title(question),
                    domain=self.domain_label(domain),
                )
                parts.append(self.table(table, caption, f"open-{question}-{domain}"))
        return "\n".join(parts)

    # --------------------------------------------------------- methods report
    def coding_frame_table(self) -> str:
        """The frame: theme, question, condition or domain, description."""
        frame = self.codebook.coding_frame
        if frame is None:
            return self._msg("open_none") + "\n"
        rows = [
            {
                self.t("open_col_theme"): t.label.get(self.lang),
                self.t("open_col_question"): self._question_title(t.question),
                self.t("open_col_condition"): self._belongs_to(t.condition, t.domain or ""),
                self.t("open_col_description"): t.description.get(self.lang),
            }
            for t in frame.themes.values()
        ]
        return (
            self._msg("frame_intro", version=frame.version)
            + "\n\n"
            + self.table(pd.DataFrame(rows), self._msg("cap_frame"), "coding-frame")
        )

    def deidentification_text(self) -> str:
        """What de-identification replaced, by type (counts only, never values)."""
        path = self.out / "clean" / "deidentification.csv"
        if not path.exists():
            return self._msg("open_none") + "\n"
        df = pd.read_csv(path)
        n_answers = int(df.loc[df["kind"] == "answers", "n"].sum())
        by = df[df["kind"] != "answers"].groupby("kind")["n"].sum().sort_values(ascending=False)
        table = pd.DataFrame(
            {
                self.t("open_col_type"): [f"[{k}]" for k in by.index],
                self.t("open_col_replaced"): [str(int(n)) for n in by],
            }
        )
        return (
            self._msg("deid_intro", n=n_answers)
            + "\n\n"
            + self.table(table, self._msg("cap_deid"), "deidentification")
        )

    def coding_sources_text(self) -> str:
        """On which codes the theme counts rest (people, the automatic proposal, or both)."""
        themes = self.open_themes()
        if themes.empty:
            return ""
        prog = themes[themes["lab"] == ALL]
        human, auto = int(prog["n_human"].sum()), int(prog["n_auto"].sum())
        return self._msg("coding_sources", human=human, auto=auto) + "\n"

    def agreement_text(self) -> str:
        """Kappa and alpha per theme between coders and with the proposal, with intervals."""
        path = self.out / "coding" / "agreement.csv"
        if not path.exists():
            return self._msg("agreement_none") + "\n"
        df = pd.read_csv(path)
        rows = [
            {
                self.t("open_col_theme"): self.theme_label(r.theme),
                self.t("open_col_coders"): r.coders,
                "n": str(int(r.n_answers)),
                "kappa": self._with_ci(r.kappa, r.kappa_ci_low, r.kappa_ci_high),
                "alpha": self._with_ci(r.alpha, r.alpha_ci_low, r.alpha_ci_high),
            }
            for r in df.itertuples()
        ]
        return (
            self._msg("agreement_intro")
            + "\n\n"
            + self.table(pd.DataFrame(rows), self._msg("cap_agreement"), "agreement")
        )

    def _with_ci(self, value: float, low: float, high: float) -> str:
        if pd.isna(value):
            return "–"
        return self.num(value) + ("" if pd.isna(low) else f" {self.interval(low, high)}")
