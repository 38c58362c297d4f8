"""Turn a Streamlit config TOML into ``streamlit run`` flags (``--section.option=value``).

Run: ``python deploy/streamlit_flags.py deploy/streamlit-production.toml`` prints one flag per
line. Flags win over every config.toml, so a deployment gets exactly these settings whatever the
project's ``.streamlit/config.toml`` says. Only scalar options (str, int, float, bool) are
accepted; a ``[global]`` section is refused (developmentMode / e2eTest must never be deployed).
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path
from typing import Any


def flags(config: dict[str, Any]) -> list[str]:
    """The ``--section.option=value`` flags of a parsed config, in file order."""
    result = []
    for section, options in config.items():
        if section == "global":
            raise ValueError("a [global] section must not be deployed")
        if not isinstance(options, dict):
            raise ValueError(f"top-level key {section!r} is not a [section]")
        for name, value in options.items():
            if isinstance(value, bool):
                text = "true" if value else "false"
            elif isinstance(value, (str, int, float)):
                text = str(value)
            else:
                raise ValueError(f"{section}.{name}: only scalar options are supported")
            result.append(f"--{section}.{name}={text}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("config", type=Path, help="a TOML file such as streamlit-production.toml")
    args = parser.parse_args(argv)
    try:
        print("\n".join(flags(tomllib.loads(args.config.read_text()))))
    except (OSError, ValueError, tomllib.TOMLDecodeError) as why:
        print(f"{args.config}: {why}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
