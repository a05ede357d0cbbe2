"""The pseudonymisation key: where it comes from, whether it is strong, and its fingerprint.

Rules (see the README, "Privacy"):

* The key is read from the environment variable the study names in
  ``settings.pseudonym_key_env``. A variable that is set but empty is an error
  (it is a mistake, never a reason to fall back to the demo key), and so is a
  key shorter than :data:`MIN_KEY_BYTES` bytes.
* ``pseudonym_key_env`` may not name a common, non-secret variable (``HOME``,
  ``PATH``, ``USER`` …, :data:`NON_SECRET_ENV`): the study is refused when it is
  loaded, with the YAML path.
* The public demo key (:data:`DEMO_PSEUDONYM_KEY`) is used only when the
  variable is unset and the study sets ``settings.demo_key: true`` (or when the
  variable holds the demo key itself). When every source is a bundled demo
  export, recognised by the sha256 that ``leerlab demo`` recorded in
  ``truth/demo_files.json`` beside it, that is silent. Otherwise the key
  carries a loud warning (:attr:`KeyInfo.warning`) that the cleaning stage
  prints on stdout and writes into the cleaning log, the manifest and the
  methods report.
* The manifest stores :func:`key_fingerprint` (an HMAC of a fixed text, never
  the key); a rerun over an out folder made with another key is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError

#: Public HMAC key of the demo study. Never protects real data (see the module docstring).
DEMO_PSEUDONYM_KEY = "leerlab-demo-key-NOT-SECRET"

#: Shortest key accepted, in bytes (a random 16-byte key is 128 bits).
MIN_KEY_BYTES = 16

#: What ``leerlab demo`` records of the files it wrote, relative to its ``--out`` folder.
DEMO_RECORD = Path("truth") / "demo_files.json"

#: The message the fingerprint is the HMAC of (fixed, so that equal keys give equal fingerprints).
_FINGERPRINT_MESSAGE = b"leerlab-research pseudonym key fingerprint v1"

#: Environment variables that every shell or system sets and that are no secret.
NON_SECRET_ENV = frozenset(
    {
        "HOME", "PATH", "USER", "USERNAME", "LOGNAME", "PWD", "OLDPWD", "SHELL", "LANG",
        "LANGUAGE", "TERM", "TMPDIR", "TEMP", "TMP", "HOSTNAME", "HOST", "EDITOR", "VISUAL",
        "PAGER", "DISPLAY", "MAIL", "SHLVL", "TZ", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV",
        "CONDA_PREFIX", "PS1", "COLUMNS", "LINES", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME",
        "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_SESSION_TYPE", "SSH_TTY", "SSH_CONNECTION",
        "SSH_CLIENT", "USERPROFILE", "APPDATA", "LOCALAPPDATA", "COMPUTERNAME", "SYSTEMROOT",
        "WINDIR", "PROGRAMFILES", "HOMEPATH", "HOMEDRIVE", "OS", "PROCESSOR_ARCHITECTURE",
        "NUMBER_OF_PROCESSORS", "PATHEXT", "COMSPEC", "CI", "GITHUB_ACTIONS",
    }
)  # fmt: skip
#: Prefixes of such variables (locale, XDG, terminal settings).
NON_SECRET_PREFIXES = ("LC_", "XDG_")


def non_secret_env_problem(name: str) -> str | None:
    """Why ``name`` cannot hold a pseudonym key, or None when it may."""
    upper = name.strip().upper()
    if not upper:
        return "names no environment variable"
    if upper in NON_SECRET_ENV or upper.startswith(NON_SECRET_PREFIXES):
        return (
            f"{name!r} is a common environment variable that is no secret (anybody can read "
            "or guess it); name a variable of your own, e.g. LEERLAB_PSEUDONYM_KEY"
        )
    return None


def key_fingerprint(key: bytes) -> str:
    """HMAC-SHA256 of a fixed text under ``key``, 16 hex digits; reveals nothing of the key."""
    return hmac.new(key, _FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True)
class KeyInfo:
    """The key to pseudonymise with, and what the outputs must say about it."""

    key: bytes
    demo: bool
    non_demo_sources: tuple[str, ...] = ()

    @property
    def fingerprint(self) -> str:
        return key_fingerprint(self.key)

    @property
    def warning(self) -> str | None:
        """The loud warning when the public demo key protects data other than the demo's."""
        if not self.demo or not self.non_demo_sources:
            return None
        return (
            "WARNING: the public demo key pseudonymises data that are not the bundled demo "
            f"exports ({', '.join(self.non_demo_sources)}). Anybody can recompute these "
            "respondent ids: do not share or keep these outputs; set a secret key of at "
            "least 16 bytes in the study's pseudonym_key_env variable and clean again "
            "into a new out folder."
        )

    def manifest_entry(self) -> dict[str, object]:
        return {
            "fingerprint": self.fingerprint,
            "demo_key": self.demo,
            "non_demo_sources": list(self.non_demo_sources),
            "warning": self.warning,
        }


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def is_demo_export(path: Path) -> bool:
    """True when ``leerlab demo`` wrote ``path`` as it is now (sha256 in ``truth/demo_files.json``)."""
    record = path.parent / DEMO_RECORD
    try:
        files = json.loads(record.read_text(encoding="utf-8")).get("files", {})
        return files.get(path.name) == _sha256(path)
    except (OSError, ValueError, AttributeError):
        return False


def resolve_key(
    study_name: str, env: str, demo_allowed: bool, sources: list[tuple[str, Path | None]]
) -> KeyInfo:
    """The study's key from the environment, checked (see the module docstring).

    Parameters
    ----------
    study_name
        File name of the study, for messages.
    env
        ``settings.pseudonym_key_env``.
    demo_allowed
        ``settings.demo_key``.
    sources
        ``(path as written, resolved path)`` per source, to recognise the demo exports.

    Raises
    ------
    ConfigError
        Unset (without ``demo_key``), empty or short key (exit code 2).
    """
    where = f"{study_name}: settings.pseudonym_key_env"
    value = os.environ.get(env)
    if value is not None and not value.strip():
        raise ConfigError(
            f"{where}: environment variable {env} is set but empty; set it to a secret key of "
            f"at least {MIN_KEY_BYTES} bytes (or unset it to use the demo key on the demo data)"
        )
    if value is None and not demo_allowed:
        raise ConfigError(
            f"{where}: environment variable {env} is not set; set it to a secret key of at "
            f"least {MIN_KEY_BYTES} bytes (keep it: the same key links the waves of one person)"
        )
    key = (value if value is not None else DEMO_PSEUDONYM_KEY).encode("utf-8")
    demo = key == DEMO_PSEUDONYM_KEY.encode("utf-8")
    if not demo and len(key) < MIN_KEY_BYTES:
        raise ConfigError(
            f"{where}: the key in {env} is {len(key)} bytes; a pseudonym key needs at least "
            f'{MIN_KEY_BYTES} bytes (e.g. `python -c "import secrets; '
            'print(secrets.token_hex(16))"`)'
        )
    others: tuple[str, ...] = ()
    if demo:
        others = tuple(
            p for p, resolved in sources if resolved is None or not is_demo_export(resolved)
        )
    return KeyInfo(key=key, demo=demo, non_demo_sources=others)
